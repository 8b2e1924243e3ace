// The C API's topic callbacks (include/seglog.h, "Topic callbacks", 0.4.0): a C function and
// its user pointer registered as a seglog::DeliveryCallback. Each delivery is copied into
// NUL-terminated strings and seglog_queue_attr_v2 structs that live on the fan-out thread's
// stack for the call (the header's lifetime: "valid only during the call"). The callback rule
// itself is Topics' (engine/topics/topics.h, DeliveryCallback), restated in the header.
#include "engine/capi/topics_capi.h"
#include "engine/queues/message_shape.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace {

// One delivery in C's shape; owns every byte the seglog_topic_delivery points to.
class CDelivery {
 public:
  explicit CDelivery(const seglog::CallbackDelivery& d)
      : topic_(d.topic),
        subscription_id_(d.subscription_id),
        message_id_(d.message_id),
        body_(d.body),
        subject_(d.subject) {
    const size_t n = d.attributes.size();
    names_.reserve(n);
    types_.reserve(n);
    values_.reserve(n);
    attrs_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const seglog::format::MessageAttribute& a = d.attributes[i];
      names_.emplace_back(a.name);
      types_.push_back(seglog::DataTypeText(a.type, a.type_label));
      // Each value followed by a NUL not counted in value_len, as a receive's.
      values_.emplace_back(reinterpret_cast<const char*>(a.value.data()), a.value.size());
    }
    for (size_t i = 0; i < n; ++i) {
      attrs_[i].name = names_[i].c_str();
      attrs_[i].data_type = types_[i].c_str();
      attrs_[i].value = values_[i].c_str();
      attrs_[i].value_len = values_[i].size();
    }
    c_ = seglog_topic_delivery{};
    c_.topic = topic_.c_str();
    c_.subscription_id = subscription_id_.c_str();
    c_.message_id = message_id_.c_str();
    c_.body = body_.c_str();
    c_.body_len = body_.size();
    c_.subject = subject_.c_str();
    c_.attrs = n == 0 ? nullptr : attrs_.data();
    c_.n_attrs = n;
    c_.published_ms = d.published.value();
    c_.attempt = d.attempt;
  }
  CDelivery(const CDelivery&) = delete;
  CDelivery& operator=(const CDelivery&) = delete;

  const seglog_topic_delivery* get() const { return &c_; }

 private:
  std::string topic_, subscription_id_, message_id_, body_, subject_;
  std::vector<std::string> names_, types_, values_;
  std::vector<seglog_queue_attr_v2> attrs_;
  seglog_topic_delivery c_;
};

Status CheckCallbackName(const char* name) {
  SEGLOG_RETURN_IF_ERROR(NotNull(name, "name"));
  if (name[0] == '\0') return Status::InvalidArgument("name is empty");
  return Status::OK();  // its length and characters: the engine's
}

}  // namespace

extern "C" {

int seglog_topic_register_callback(seglog_handle* db, const char* name,
                                   seglog_topic_callback fn, void* user) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckCallbackName(name));
    if (fn == nullptr) return Status::InvalidArgument("fn is NULL");
    // Runs on a fan-out thread. A copy that fails (out of memory) is a retry, never an
    // exception into the engine's thread.
    seglog::DeliveryCallback cb = [fn, user](const seglog::CallbackDelivery& d) noexcept {
      try {
        const CDelivery c(d);
        return fn(c.get(), user) == 0;
      } catch (...) {
        return false;
      }
    };
    return db->topics->RegisterCallback(name, std::move(cb));
  });
}

int seglog_topic_unregister_callback(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckCallbackName(name));
    return db->topics->UnregisterCallback(name);
  });
}

}  // extern "C"
