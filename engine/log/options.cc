#include "engine/log/options.h"

#include "format/segment_format.h"

namespace seglog {

std::string_view DurabilityName(Durability d) {
  switch (d) {
    case Durability::kAlways: return "always";
    case Durability::kInterval: return "interval";
    case Durability::kNone: return "none";
  }
  return "unknown";
}

Status ParseDurability(std::string_view s, Durability* d) {
  if (s == "always") *d = Durability::kAlways;
  else if (s == "interval") *d = Durability::kInterval;
  else if (s == "none") *d = Durability::kNone;
  else return Status::InvalidArgument("unknown durability mode '" + std::string(s) +
                                      "' (expected always, interval or none)");
  return Status::OK();
}

Status LimitsFromProp(const std::string* value, Limits* out) {
  if (value == nullptr) {
    *out = Limits::kRelaxed;
  } else if (*value == kLimitsAws) {
    *out = Limits::kAws;
  } else {
    return Status::NotSupported("unknown limits profile '" + *value +
                                "' (written by a newer seglog?)");
  }
  return Status::OK();
}

namespace {

bool SyncIntervalInRange(uint32_t ms) { return ms >= 1 && ms <= kMaxSyncIntervalMs; }

}  // namespace

Status LogOptions::Validate() const {
  if (segment_size < kMinSegmentSize || segment_size > kMaxSegmentSize) {
    return Status::InvalidArgument("segment_size must be between 4096 and 2^40 bytes, got " +
                                   std::to_string(segment_size));
  }
  if (durability != Durability::kAlways && durability != Durability::kInterval &&
      durability != Durability::kNone) {
    return Status::InvalidArgument("unknown durability mode");
  }
  // Checked whatever the mode: a log created under kAlways keeps its interval in the catalog,
  // and a bad one would surface only when the mode changes.
  if (!SyncIntervalInRange(sync_interval_ms)) {
    return Status::InvalidArgument("sync_interval_ms must be between 1 and 3600000, got " +
                                   std::to_string(sync_interval_ms));
  }
  if (index_interval_bytes == 0) {
    return Status::InvalidArgument("index_interval_bytes must be positive");
  }
  return Status::OK();
}

Status LogOptions::ValidateStored() {
  if (durability != Durability::kInterval && !SyncIntervalInRange(sync_interval_ms)) {
    sync_interval_ms = LogOptions{}.sync_interval_ms;
  }
  return Validate();
}

}  // namespace seglog
