// AWS's SNS signature verification algorithm, for tests: the string to sign rebuilt from the
// parsed envelope's fields, the base64 Signature checked with the certificate's public key
// (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). Independent of engine/topics' signer.
#pragma once

#include <string>

namespace seglog {

bool VerifySnsEnvelope(const std::string& envelope, const std::string& cert_pem);

}  // namespace seglog
