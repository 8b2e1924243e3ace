// CredentialSet: AWS shared-credentials files (server/auth/credentials.h). No message built here
// ever contains a secret or a line of the file: only the path, line numbers, profile names and
// access key ids.
#include "server/auth/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

namespace seglog::server {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;  // a credentials file is a few hundred bytes

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// One [profile] being read: its pair, and where it began (for messages).
struct Profile {
  std::string name;
  size_t line = 0;
  bool has_key = false, has_secret = false;
  std::string key, secret;
};

// Adds the finished profile's pair to *out; a profile with neither (only region, say) adds none.
Status Finish(const Profile& p, CredentialSet* out) {
  if (!p.has_key && !p.has_secret) return Status::OK();
  const std::string where = "profile [" + p.name + "] (line " + std::to_string(p.line) + ")";
  if (!p.has_secret) {
    return Status::InvalidArgument(where + ": aws_access_key_id without aws_secret_access_key");
  }
  if (!p.has_key) {
    return Status::InvalidArgument(where + ": aws_secret_access_key without aws_access_key_id");
  }
  if (p.key.empty()) return Status::InvalidArgument(where + ": empty aws_access_key_id");
  if (p.secret.empty()) {
    return Status::InvalidArgument(where + ": empty aws_secret_access_key");
  }
  const std::string* prev = out->Secret(p.key);
  if (prev != nullptr && *prev != p.secret) {
    return Status::InvalidArgument(where + ": access key " + p.key +
                                   " appears in another profile with a different secret");
  }
  out->Add(p.key, p.secret);
  return Status::OK();
}

// Applies one "key = value" line to the current profile.
Status KeyValue(std::string_view line, size_t lineno, Profile* p) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument("line " + std::to_string(lineno) +
                                   ": expected [profile], key = value, or a comment");
  }
  if (p == nullptr) {
    return Status::InvalidArgument("line " + std::to_string(lineno) +
                                   ": a key before any [profile] header");
  }
  const std::string_view key = Trim(line.substr(0, eq));
  const std::string_view value = Trim(line.substr(eq + 1));
  const bool is_id = EqualsLower(key, "aws_access_key_id");
  const bool is_secret = EqualsLower(key, "aws_secret_access_key");
  if ((is_id && p->has_key) || (is_secret && p->has_secret)) {
    return Status::InvalidArgument("line " + std::to_string(lineno) + ": " + std::string(key) +
                                   " given twice in profile [" + p->name + "]");
  }
  if (is_id) {
    p->has_key = true;
    p->key = std::string(value);
  } else if (is_secret) {
    p->has_secret = true;
    p->secret = std::string(value);
  }
  return Status::OK();  // other keys (aws_session_token, region, ...) are ignored
}

}  // namespace

Status CredentialSet::Parse(std::string_view text, CredentialSet* out) {
  CredentialSet set;
  Profile current;
  bool in_profile = false;
  size_t lineno = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++lineno;
    const std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3) {
        return Status::InvalidArgument("line " + std::to_string(lineno) +
                                       ": a profile header must be [name]");
      }
      if (in_profile) SEGLOG_RETURN_IF_ERROR(Finish(current, &set));
      current = Profile{};
      current.name = std::string(Trim(line.substr(1, line.size() - 2)));
      current.line = lineno;
      in_profile = true;
      continue;
    }
    SEGLOG_RETURN_IF_ERROR(KeyValue(line, lineno, in_profile ? &current : nullptr));
  }
  if (in_profile) SEGLOG_RETURN_IF_ERROR(Finish(current, &set));
  *out = std::move(set);
  return Status::OK();
}

Status CredentialSet::Load(const std::string& path, CredentialSet* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {  // IOError whatever errno said (ENOENT included): the file cannot be read
    return Status::IOError(Status::FromErrno(errno, "open credentials file " + path).message());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "fstat credentials file " + path);
  }
  const unsigned mode = static_cast<unsigned>(st.st_mode) & 07777u;
  char octal[16];
  std::snprintf(octal, sizeof octal, "%04o", mode);
  Status s;
  if (!S_ISREG(st.st_mode)) {
    s = Status::InvalidArgument("credentials file " + path + " is not a regular file");
  } else if (mode != 0600 && mode != 0400) {
    s = Status::InvalidArgument("credentials file " + path + " has mode " + octal +
                                "; it must be 0600 or 0400 (readable by its owner only)");
  } else if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
    s = Status::InvalidArgument("credentials file " + path + " is larger than 1 MiB");
  }
  std::string text;
  while (s.ok()) {
    char buf[8192];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = Status::FromErrno(errno, "read credentials file " + path);
    } else if (n == 0) {
      break;
    } else if (text.size() + static_cast<size_t>(n) > kMaxFileBytes) {
      s = Status::InvalidArgument("credentials file " + path + " is larger than 1 MiB");
    } else {
      text.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  SEGLOG_RETURN_IF_ERROR(s);
  CredentialSet set;
  SEGLOG_RETURN_IF_ERROR(Parse(text, &set).WithContext("credentials file " + path));
  if (set.empty()) {
    return Status::InvalidArgument("credentials file " + path +
                                   " holds no aws_access_key_id / aws_secret_access_key pair");
  }
  *out = std::move(set);
  return Status::OK();
}

const std::string* CredentialSet::Secret(std::string_view access_key_id) const {
  const auto it = secrets_.find(access_key_id);
  return it == secrets_.end() ? nullptr : &it->second;
}

}  // namespace seglog::server
