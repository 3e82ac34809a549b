#include "server/storage_metrics.h"

#include "prometheus/histogram.h"

namespace videoplatform::server {

void ObserveGroupCommit(prometheus::Registry& registry,
                        storage::GroupCommitter& committer) {
  prometheus::Histogram& units =
      prometheus::BuildHistogram()
          .Name("videoplatform_storage_commit_batch_units")
          .Help(
              "Writes (webhook applies, event appends, RPC writes) per "
              "group-commit transaction.")
          .Register(registry)
          .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32,
                                                           64, 128, 256, 512});
  prometheus::Histogram& seconds =
      prometheus::BuildHistogram()
          .Name("videoplatform_storage_commit_seconds")
          .Help(
              "Time to run and commit one group-commit batch (fsync "
              "included), seconds.")
          .Register(registry)
          .Add({},
               prometheus::Histogram::BucketBoundaries{
                   0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1});
  committer.set_batch_observer(
      [&units, &seconds](size_t batch_units, absl::Duration elapsed) {
        units.Observe(static_cast<double>(batch_units));
        seconds.Observe(absl::ToDoubleSeconds(elapsed));
      });
}

}  // namespace videoplatform::server
