// Storage write-path metrics:
//   videoplatform_storage_commit_batch_units   units per group-commit batch
//                                              (histogram)
//   videoplatform_storage_commit_seconds       time to run and commit one
//                                              batch, fsync included
#ifndef VIDEOPLATFORM_SERVER_STORAGE_METRICS_H_
#define VIDEOPLATFORM_SERVER_STORAGE_METRICS_H_

#include "prometheus/registry.h"
#include "storage/group_commit.h"

namespace videoplatform::server {

// Observes every batch of `committer` into histograms registered in
// `registry` (which must outlive the committer's writer).
void ObserveGroupCommit(prometheus::Registry& registry,
                        storage::GroupCommitter& committer);

}  // namespace videoplatform::server

#endif  // VIDEOPLATFORM_SERVER_STORAGE_METRICS_H_
