// Identifier generation.
#ifndef VIDEOPLATFORM_SERVER_COMMON_IDS_H_
#define VIDEOPLATFORM_SERVER_COMMON_IDS_H_

#include <string>

namespace videoplatform {

// A random (version 4) UUID in lower-case canonical form, from OpenSSL's
// CSPRNG. Thread-safe.
std::string NewUuid();

}  // namespace videoplatform

#endif  // VIDEOPLATFORM_SERVER_COMMON_IDS_H_
