// The access keys seglogd accepts, from a credentials file in AWS's shared-credentials format:
//
//   [any-profile-name]
//   aws_access_key_id = AKIDEXAMPLE
//   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//
// Every profile's pair is accepted. The file must be a regular file readable by its owner only
// (mode 0600 or 0400): anything else is refused with a message that names the path and mode,
// never a secret. Secrets are never logged, printed or put in error messages.
//
// Lifetime: loaded once at start. Concurrency: immutable after Load; any thread may read.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "format/status.h"

namespace seglog::server {

class CredentialSet {
 public:
  // InvalidArgument: a malformed file (a key without a secret, a secret without a key, an
  // empty key); IOError: unreadable; Corruption never. PermissionDenied-like refusals (mode
  // not 0600/0400, not a regular file) are InvalidArgument naming the mode.
  static Status Load(const std::string& path, CredentialSet* out);
  // Parses text (tests, and Load after its checks).
  static Status Parse(std::string_view text, CredentialSet* out);

  bool empty() const { return secrets_.empty(); }
  size_t size() const { return secrets_.size(); }
  // The secret of an access key id, or nullptr.
  const std::string* Secret(std::string_view access_key_id) const;
  void Add(std::string access_key_id, std::string secret) {
    secrets_[std::move(access_key_id)] = std::move(secret);
  }

 private:
  std::map<std::string, std::string, std::less<>> secrets_;
};

}  // namespace seglog::server
