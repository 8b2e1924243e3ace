// The C API: queues, sends, receives and deletes (include/seglog.h, "queues").
#include "engine/capi/capi.h"
#include "engine/queues/message_shape.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace {

Status QueueTypeFromC(int v, seglog::QueueType* out) {
  switch (v) {
    case SEGLOG_QUEUE_STANDARD: *out = seglog::QueueType::kStandard; return Status::OK();
    case SEGLOG_QUEUE_FIFO: *out = seglog::QueueType::kFifo; return Status::OK();
  }
  return Status::InvalidArgument("unknown queue type " + std::to_string(v) +
                                 " (expected SEGLOG_QUEUE_STANDARD or SEGLOG_QUEUE_FIFO)");
}

int QueueTypeToC(seglog::QueueType t) {
  return t == seglog::QueueType::kFifo ? SEGLOG_QUEUE_FIFO : SEGLOG_QUEUE_STANDARD;
}

Status AttrTypeFromC(int v, const std::string& which, seglog::format::AttributeType* out) {
  switch (v) {
    case SEGLOG_ATTR_STRING: *out = seglog::format::AttributeType::kString; return Status::OK();
    case SEGLOG_ATTR_NUMBER: *out = seglog::format::AttributeType::kNumber; return Status::OK();
    case SEGLOG_ATTR_BINARY: *out = seglog::format::AttributeType::kBinary; return Status::OK();
  }
  return Status::InvalidArgument(which + "unknown type " + std::to_string(v) +
                                 " (expected SEGLOG_ATTR_STRING, _NUMBER or _BINARY)");
}

int AttrTypeToC(seglog::format::AttributeType t) {
  switch (t) {
    case seglog::format::AttributeType::kString: return SEGLOG_ATTR_STRING;
    case seglog::format::AttributeType::kNumber: return SEGLOG_ATTR_NUMBER;
    case seglog::format::AttributeType::kBinary: return SEGLOG_ATTR_BINARY;
  }
  return 0;
}

Status DedupScopeFromC(int v, seglog::DedupScope* out) {
  switch (v) {
    case SEGLOG_DEDUP_SCOPE_QUEUE: *out = seglog::DedupScope::kQueue; return Status::OK();
    case SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP:
      *out = seglog::DedupScope::kMessageGroup;
      return Status::OK();
  }
  return Status::InvalidArgument("unknown dedup_scope " + std::to_string(v) +
                                 " (expected SEGLOG_DEDUP_SCOPE_QUEUE or _MESSAGE_GROUP)");
}

Status ThroughputFromC(int v, seglog::FifoThroughputLimit* out) {
  switch (v) {
    case SEGLOG_FIFO_THROUGHPUT_PER_QUEUE:
      *out = seglog::FifoThroughputLimit::kPerQueue;
      return Status::OK();
    case SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID:
      *out = seglog::FifoThroughputLimit::kPerMessageGroupId;
      return Status::OK();
  }
  return Status::InvalidArgument("unknown fifo_throughput_limit " + std::to_string(v) +
                                 " (expected SEGLOG_FIFO_THROUGHPUT_PER_QUEUE or "
                                 "_PER_MESSAGE_GROUP_ID)");
}

// SEGLOG_REDRIVE_ALLOW_* <-> RedriveAllowPolicy (0.3.0). The C layer checks the enum, that
// sources come with _BY_QUEUE only (1 .. 10 of them, each a valid name); the engine checks the
// rest (distinct names).
Status RedriveAllowFromC(const seglog_queue_config& c, seglog::RedriveAllowPolicy* out) {
  switch (c.redrive_allow) {
    case SEGLOG_REDRIVE_ALLOW_ALL: out->permission = seglog::RedriveAllow::kAllowAll; break;
    case SEGLOG_REDRIVE_ALLOW_DENY_ALL: out->permission = seglog::RedriveAllow::kDenyAll; break;
    case SEGLOG_REDRIVE_ALLOW_BY_QUEUE: out->permission = seglog::RedriveAllow::kByQueue; break;
    default:
      return Status::InvalidArgument("unknown redrive_allow " + std::to_string(c.redrive_allow) +
                                     " (expected SEGLOG_REDRIVE_ALLOW_ALL, _DENY_ALL or "
                                     "_BY_QUEUE)");
  }
  const size_t n = c.redrive_allow_source_count;
  if (out->permission != seglog::RedriveAllow::kByQueue) {
    if (n != 0) {
      return Status::InvalidArgument("redrive_allow_source_count is " + std::to_string(n) +
                                     ": source queues go with SEGLOG_REDRIVE_ALLOW_BY_QUEUE only");
    }
    return Status::OK();
  }
  if (n < 1 || n > seglog::kQueueMaxRedriveSources) {
    return Status::InvalidArgument("redrive_allow_source_count is " + std::to_string(n) +
                                   ": SEGLOG_REDRIVE_ALLOW_BY_QUEUE names 1 to 10 queues");
  }
  SEGLOG_RETURN_IF_ERROR(NotNull(c.redrive_allow_sources, "redrive_allow_sources"));
  out->sources.clear();
  for (size_t i = 0; i < n; ++i) {
    const std::string what = "redrive_allow_sources[" + std::to_string(i) + "]";
    SEGLOG_RETURN_IF_ERROR(CheckName(c.redrive_allow_sources[i], what.c_str()));
    out->sources.emplace_back(c.redrive_allow_sources[i]);
  }
  return Status::OK();
}

int RedriveAllowToC(seglog::RedriveAllow p) {
  switch (p) {
    case seglog::RedriveAllow::kAllowAll: return SEGLOG_REDRIVE_ALLOW_ALL;
    case seglog::RedriveAllow::kDenyAll: return SEGLOG_REDRIVE_ALLOW_DENY_ALL;
    case seglog::RedriveAllow::kByQueue: return SEGLOG_REDRIVE_ALLOW_BY_QUEUE;
  }
  return SEGLOG_REDRIVE_ALLOW_ALL;
}

// The C field bits are 1 << the engine's QueueField values.
static_assert(SEGLOG_QUEUE_FIELD_VISIBILITY_TIMEOUT ==
              1u << static_cast<uint32_t>(seglog::QueueField::kVisibilityTimeout));
static_assert(SEGLOG_QUEUE_FIELD_DELAY == 1u << static_cast<uint32_t>(seglog::QueueField::kDelay));
static_assert(SEGLOG_QUEUE_FIELD_RETENTION ==
              1u << static_cast<uint32_t>(seglog::QueueField::kRetention));
static_assert(SEGLOG_QUEUE_FIELD_MAX_MESSAGE_BYTES ==
              1u << static_cast<uint32_t>(seglog::QueueField::kMaxMessageBytes));
static_assert(SEGLOG_QUEUE_FIELD_RECEIVE_WAIT ==
              1u << static_cast<uint32_t>(seglog::QueueField::kReceiveWait));
static_assert(SEGLOG_QUEUE_FIELD_REDRIVE_POLICY ==
              1u << static_cast<uint32_t>(seglog::QueueField::kRedrivePolicy));
static_assert(SEGLOG_QUEUE_FIELD_CONTENT_BASED_DEDUP ==
              1u << static_cast<uint32_t>(seglog::QueueField::kContentBasedDedup));
static_assert(SEGLOG_QUEUE_FIELD_DEDUP_SCOPE ==
              1u << static_cast<uint32_t>(seglog::QueueField::kDedupScope));
static_assert(SEGLOG_QUEUE_FIELD_FIFO_THROUGHPUT_LIMIT ==
              1u << static_cast<uint32_t>(seglog::QueueField::kFifoThroughputLimit));
static_assert(SEGLOG_QUEUE_FIELD_TYPE == 1u << static_cast<uint32_t>(seglog::QueueField::kType));
static_assert(SEGLOG_QUEUE_FIELD_LIMITS ==
              1u << static_cast<uint32_t>(seglog::QueueField::kLimits));
static_assert(SEGLOG_QUEUE_FIELD_DURABILITY ==
              1u << static_cast<uint32_t>(seglog::QueueField::kDurability));
static_assert(SEGLOG_QUEUE_FIELD_SYNC_INTERVAL ==
              1u << static_cast<uint32_t>(seglog::QueueField::kSyncInterval));
static_assert(SEGLOG_QUEUE_FIELD_SEGMENT_SIZE ==
              1u << static_cast<uint32_t>(seglog::QueueField::kSegmentSize));
static_assert(SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY ==
              1u << static_cast<uint32_t>(seglog::QueueField::kRedriveAllowPolicy));
static_assert(SEGLOG_QUEUE_FIELDS_ALL == seglog::QueueFields::kAllBits);

// *c = cfg over the defaults (cfg may be NULL), and *qc the engine's config from it: the
// enums, booleans and names are checked here, the ranges by QueueConfig::Validate. Log
// settings left at 0 are the store options'.
Status QueueConfigFromC(const seglog_handle* db, const seglog_queue_config* cfg,
                        seglog_queue_config* c, seglog::QueueConfig* qc) {
  seglog_queue_config_init(c);
  if (cfg != nullptr) {
    SEGLOG_RETURN_IF_ERROR(ReadVersioned(cfg, kQueueConfigSizes, "seglog_queue_config", c));
  }
  SEGLOG_RETURN_IF_ERROR(QueueTypeFromC(c->type, &qc->type));
  qc->visibility_timeout_s = c->visibility_timeout_s;
  qc->delay_s = c->delay_s;
  qc->retention_s = c->retention_s;
  qc->max_message_bytes = c->max_message_bytes;
  qc->receive_wait_s = c->receive_wait_s;
  SEGLOG_RETURN_IF_ERROR(CheckBool(c->content_based_dedup, "content_based_dedup"));
  qc->content_based_dedup = c->content_based_dedup != 0;
  if (c->dead_letter_queue != nullptr && c->dead_letter_queue[0] != '\0') {
    SEGLOG_RETURN_IF_ERROR(CheckName(c->dead_letter_queue, "dead-letter queue"));
    qc->dead_letter_queue = c->dead_letter_queue;
  }
  qc->max_receive_count = c->max_receive_count;
  qc->log = db->log_defaults;
  SEGLOG_RETURN_IF_ERROR(
      DurabilityFromC(c->durability, true, db->log_defaults.durability, &qc->log.durability));
  if (c->sync_interval_ms != 0) qc->log.sync_interval_ms = c->sync_interval_ms;
  if (c->segment_size != 0) qc->log.segment_size = c->segment_size;
  SEGLOG_RETURN_IF_ERROR(DedupScopeFromC(c->dedup_scope, &qc->dedup_scope));
  SEGLOG_RETURN_IF_ERROR(ThroughputFromC(c->fifo_throughput_limit, &qc->fifo_throughput_limit));
  SEGLOG_RETURN_IF_ERROR(LimitsFromC(c->limits, &qc->limits));
  SEGLOG_RETURN_IF_ERROR(RedriveAllowFromC(*c, &qc->redrive_allow));
  return qc->log.Validate();
}

seglog::ByteView Bytes(const void* p, size_t n) {
  return p == nullptr ? seglog::ByteView()
                      : seglog::ByteView(static_cast<const uint8_t*>(p), n);
}

// One send entry from C: checks its pointers, counts and enums (the engine checks the rest).
// The attribute views go to *attrs, which must stay put while *out is used. `which` prefixes
// messages ("message 3: ").
Status SendEntryFromC(const seglog_queue_send_entry& c, const std::string& which,
                      std::vector<seglog::format::MessageAttribute>* attrs,
                      seglog::SendEntry* out) {
  SEGLOG_RETURN_IF_ERROR(SendEntryCommonFromC(c, which, out));
  attrs->assign(c.n_attrs, seglog::format::MessageAttribute{});
  for (size_t i = 0; i < c.n_attrs; ++i) {
    const seglog_queue_attr& a = c.attrs[i];
    const std::string w = which + "attribute " + std::to_string(i) + ": ";
    if (a.name == nullptr) return Status::InvalidArgument(w + "name is NULL");
    if (a.value == nullptr && a.value_len > 0) {
      return Status::InvalidArgument(w + "value is NULL but its length is " +
                                     std::to_string(a.value_len));
    }
    SEGLOG_RETURN_IF_ERROR(AttrTypeFromC(a.type, w, &(*attrs)[i].type));
    (*attrs)[i].name = a.name;
    (*attrs)[i].value = Bytes(a.value, a.value_len);
  }
  out->attributes = std::span<const seglog::format::MessageAttribute>(*attrs);
  return Status::OK();
}

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

// The v2 view of message m, whose v1 view `o` is filled (their shared strings are taken from
// it); `copy` copies a string into the batch.
template <class Copy>
void FillMessageV2(const seglog::ReceivedMessage& m, const seglog_queue_message& o, Copy& copy,
                   seglog_queue_message_v2* o2) {
  o2->id = o.id;
  o2->message_id = copy(m.message_id);
  o2->receipt = o.receipt;
  o2->body = o.body;
  o2->body_len = o.body_len;
  o2->n_attrs = o.n_attrs;
  o2->group_id = o.group_id;
  o2->dedup_id = o.dedup_id;
  o2->sequence_number = copy(m.sequence_number);
  o2->receive_count = o.receive_count;
  o2->sent_ms = o.sent_ms;
  o2->enqueued_ms = o.enqueued_ms;
  o2->first_receive_ms = m.first_receive.value();
  o2->sender_id = copy(m.sender_id);
  o2->trace_header = copy(m.trace_header);
  o2->md5_of_body = copy(m.md5_of_body);
  o2->md5_of_attributes = copy(m.md5_of_attributes);
  o2->md5_of_system_attributes = copy(m.md5_of_system_attributes);
}

// The bytes NewBatch copies for message m (each string with its NUL).
size_t BatchBytes(const seglog::ReceivedMessage& m) {
  size_t n = m.receipt.size() + m.body.size() + m.group_id.size() + m.dedup_id.size() + 4;
  n += m.message_id.size() + m.sequence_number.size() + m.sender_id.size() +
       m.trace_header.size() + m.md5_of_body.size() + m.md5_of_attributes.size() +
       m.md5_of_system_attributes.size() + 7;
  for (const seglog::ReceivedAttribute& a : m.attributes) {
    n += a.name.size() + a.value.size() + 2;
    n += seglog::format::AttributeTypeName(a.type).size() + 1 + a.type_label.size() + 1;
  }
  return n;
}

// Copies `in` into one new block: the header, the v1 and v2 message structs, the v1 and v2
// attribute structs, then the bytes (shared by both views). Throws std::bad_alloc when out of
// memory.
seglog_queue_messages* NewBatch(const std::vector<seglog::ReceivedMessage>& in) {
  size_t n_attrs = 0;
  size_t bytes = 0;
  for (const seglog::ReceivedMessage& m : in) {
    n_attrs += m.attributes.size();
    bytes += BatchBytes(m);
  }
  const size_t msgs_at = AlignUp(sizeof(seglog_queue_messages), alignof(seglog_queue_message));
  const size_t v2_at =
      AlignUp(msgs_at + in.size() * sizeof(seglog_queue_message), alignof(seglog_queue_message_v2));
  const size_t attrs_at =
      AlignUp(v2_at + in.size() * sizeof(seglog_queue_message_v2), alignof(seglog_queue_attr));
  const size_t attrs2_at =
      AlignUp(attrs_at + n_attrs * sizeof(seglog_queue_attr), alignof(seglog_queue_attr_v2));
  const size_t bytes_at = attrs2_at + n_attrs * sizeof(seglog_queue_attr_v2);
  char* block = static_cast<char*>(std::malloc(bytes_at + bytes));
  if (block == nullptr) throw std::bad_alloc();

  auto* msgs = reinterpret_cast<seglog_queue_message*>(block + msgs_at);
  auto* msgs2 = reinterpret_cast<seglog_queue_message_v2*>(block + v2_at);
  auto* attrs = reinterpret_cast<seglog_queue_attr*>(block + attrs_at);
  auto* attrs2 = reinterpret_cast<seglog_queue_attr_v2*>(block + attrs2_at);
  char* p = block + bytes_at;
  auto copy = [&p](std::string_view s) {
    char* at = p;
    std::memcpy(at, s.data(), s.size());
    at[s.size()] = '\0';
    p += s.size() + 1;
    return static_cast<const char*>(at);
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const seglog::ReceivedMessage& m = in[i];
    seglog_queue_message& o = msgs[i];
    o.id = m.id.value();
    o.receipt = copy(m.receipt);
    o.body = copy(m.body);
    o.body_len = m.body.size();
    o.attrs = m.attributes.empty() ? nullptr : attrs;
    o.n_attrs = m.attributes.size();
    seglog_queue_message_v2& o2 = msgs2[i];
    o2.attrs = m.attributes.empty() ? nullptr : attrs2;
    for (const seglog::ReceivedAttribute& a : m.attributes) {
      attrs->name = copy(a.name);
      attrs->type = AttrTypeToC(a.type);
      attrs->value = copy(a.value);
      attrs->value_len = a.value.size();
      attrs2->name = attrs->name;
      attrs2->data_type = copy(seglog::DataTypeText(a.type, a.type_label));
      attrs2->value = attrs->value;
      attrs2->value_len = attrs->value_len;
      ++attrs;
      ++attrs2;
    }
    o.group_id = copy(m.group_id);
    o.dedup_id = copy(m.dedup_id);
    o.receive_count = m.receive_count;
    o.sent_ms = m.sent.value();
    o.enqueued_ms = m.enqueued.value();
    FillMessageV2(m, o, copy, &o2);
  }
  auto* batch = reinterpret_cast<seglog_queue_messages*>(block);
  batch->count = in.size();
  batch->msgs = in.empty() ? nullptr : msgs;
  batch->msgs_v2 = in.empty() ? nullptr : msgs2;
  return batch;
}
}  // namespace

extern "C" {

void seglog_queue_config_init(seglog_queue_config* cfg) {
  if (cfg == nullptr) return;
  const seglog::QueueConfig d;
  *cfg = seglog_queue_config{};
  cfg->struct_size = sizeof(seglog_queue_config);
  cfg->type = QueueTypeToC(d.type);
  cfg->visibility_timeout_s = d.visibility_timeout_s;
  cfg->delay_s = d.delay_s;
  cfg->retention_s = d.retention_s;
  cfg->max_message_bytes = d.max_message_bytes;
  cfg->receive_wait_s = d.receive_wait_s;
  cfg->content_based_dedup = d.content_based_dedup ? 1 : 0;
  cfg->dead_letter_queue = nullptr;
  cfg->max_receive_count = d.max_receive_count;
  cfg->durability = SEGLOG_DURABILITY_DEFAULT;
  cfg->sync_interval_ms = 0;
  cfg->segment_size = 0;
  cfg->dedup_scope = SEGLOG_DEDUP_SCOPE_QUEUE;
  cfg->fifo_throughput_limit = SEGLOG_FIFO_THROUGHPUT_PER_QUEUE;
  cfg->limits = SEGLOG_LIMITS_RELAXED;
  cfg->redrive_allow_sources = nullptr;
  cfg->redrive_allow_source_count = 0;
  cfg->redrive_allow = RedriveAllowToC(d.redrive_allow.permission);
}

}  // extern "C"

namespace seglog::capi {

Status CreateQueueFromC(seglog_handle* db, const char* name, const seglog_queue_config* cfg,
                        const seglog::QueueTags& tags) {
  SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
  SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
  seglog_queue_config c;
  seglog::QueueConfig qc;
  SEGLOG_RETURN_IF_ERROR(QueueConfigFromC(db, cfg, &c, &qc));
  SEGLOG_RETURN_IF_ERROR(qc.Validate(name));
  // An existing queue is the same one when every field matches, except the log settings
  // left to the store options (which may have changed since it was created).
  seglog::QueueFields compare = seglog::QueueFields::All();
  if (c.durability == SEGLOG_DURABILITY_DEFAULT) compare.Remove(seglog::QueueField::kDurability);
  if (c.sync_interval_ms == 0) compare.Remove(seglog::QueueField::kSyncInterval);
  if (c.segment_size == 0) compare.Remove(seglog::QueueField::kSegmentSize);
  return db->queues->Create(name, qc, compare, tags);
}

}  // namespace seglog::capi

extern "C" {

int seglog_queue_create(seglog_handle* db, const char* name, const seglog_queue_config* cfg) {
  return Guard(__func__, [&]() -> Status {
    return CreateQueueFromC(db, name, cfg, seglog::QueueTags{});
  });
}

int seglog_queue_set_attributes(seglog_handle* db, const char* name,
                                const seglog_queue_config* cfg, uint32_t fields) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(cfg, "cfg"));
    if (fields == 0 || (fields & ~uint32_t{SEGLOG_QUEUE_FIELDS_ALL}) != 0) {
      return Status::InvalidArgument("fields is " + std::to_string(fields) +
                                     ": expected a nonzero union of SEGLOG_QUEUE_FIELD_* bits");
    }
    seglog_queue_config c;
    seglog::QueueConfig qc;
    SEGLOG_RETURN_IF_ERROR(QueueConfigFromC(db, cfg, &c, &qc));
    return db->queues->SetAttributes(name, qc, seglog::QueueFields(fields));
  });
}

int seglog_queue_delete(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    return db->queues->Delete(name);
  });
}

int seglog_queue_list(seglog_handle* db, seglog_name* names, size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(names, "names"));
    const std::vector<std::string> all = db->queues->List();
    for (size_t i = 0; i < all.size() && i < cap; ++i) CopyString(names[i].name, all[i]);
    *n = all.size();
    return Status::OK();
  });
}

int seglog_queue_list_v2(seglog_handle* db, const char* prefix, uint32_t max_results,
                         const char* next_token, seglog_name* names, size_t cap, size_t* n,
                         char* next_token_out, size_t next_token_cap) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(NotNull(names, "names"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    SEGLOG_RETURN_IF_ERROR(NotNull(next_token_out, "next_token_out"));
    if (cap < max_results) {
      return Status::InvalidArgument("cap is " + std::to_string(cap) + ", below max_results " +
                                     std::to_string(max_results));
    }
    if (next_token_cap < SEGLOG_QUEUE_LIST_TOKEN_MAX) {
      return Status::InvalidArgument("next_token_cap is " + std::to_string(next_token_cap) +
                                     ", below SEGLOG_QUEUE_LIST_TOKEN_MAX (" +
                                     std::to_string(SEGLOG_QUEUE_LIST_TOKEN_MAX) + ")");
    }
    std::vector<std::string> page;
    std::string token;
    SEGLOG_RETURN_IF_ERROR(db->queues->List(prefix == nullptr ? "" : prefix, max_results,
                                            next_token == nullptr ? "" : next_token, &page,
                                            &token));
    if (token.size() >= SEGLOG_QUEUE_LIST_TOKEN_MAX) {
      return Status(StatusCode::kCorruption, "internal: a list token of " +
                                                 std::to_string(token.size()) + " bytes");
    }
    for (size_t i = 0; i < page.size(); ++i) CopyString(names[i].name, page[i]);
    *n = page.size();
    std::memcpy(next_token_out, token.c_str(), token.size() + 1);
    return Status::OK();
  });
}

void seglog_queue_info_init(seglog_queue_info* info) {
  if (info == nullptr) return;
  std::memset(static_cast<void*>(info), 0, sizeof(*info));  // the padding too: describe copies it
  info->struct_size = sizeof(seglog_queue_info);
}

int seglog_queue_describe(seglog_handle* db, const char* name, seglog_queue_info* info) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(info, "info"));
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(info, kQueueInfoSizes, "seglog_queue_info"));
    seglog::QueueDescription d;
    SEGLOG_RETURN_IF_ERROR(db->queues->Describe(name, &d));
    const seglog::QueueConfig& c = d.config;
    seglog_queue_info out;
    seglog_queue_info_init(&out);
    CopyString(out.name, d.name);
    out.type = QueueTypeToC(c.type);
    out.visibility_timeout_s = c.visibility_timeout_s;
    out.delay_s = c.delay_s;
    out.retention_s = c.retention_s;
    out.max_message_bytes = c.max_message_bytes;
    out.receive_wait_s = c.receive_wait_s;
    out.content_based_dedup = c.content_based_dedup ? 1 : 0;
    CopyString(out.dead_letter_queue, c.dead_letter_queue);
    out.max_receive_count = c.max_receive_count;
    out.durability = DurabilityToC(c.log.durability);
    out.sync_interval_ms = c.log.sync_interval_ms;
    out.segment_size = c.log.segment_size;
    out.created_ms = d.created_ms;
    out.last_modified_ms = d.last_modified_ms;
    out.visible = d.stats.visible;
    out.in_flight = d.stats.in_flight;
    out.delayed = d.stats.delayed;
    out.limits = LimitsToC(c.limits);
    out.dedup_scope = c.dedup_scope == seglog::DedupScope::kMessageGroup
                          ? SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP
                          : SEGLOG_DEDUP_SCOPE_QUEUE;
    out.fifo_throughput_limit =
        c.fifo_throughput_limit == seglog::FifoThroughputLimit::kPerMessageGroupId
            ? SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID
            : SEGLOG_FIFO_THROUGHPUT_PER_QUEUE;
    out.dead_letter_queue_missing = d.dead_letter_queue_missing ? 1 : 0;
    out.redrive_allow = RedriveAllowToC(c.redrive_allow.permission);
    const size_t n_src = std::min(c.redrive_allow.sources.size(), seglog::kQueueMaxRedriveSources);
    out.redrive_allow_source_count = static_cast<uint32_t>(n_src);
    for (size_t i = 0; i < n_src; ++i) {
      CopyString(out.redrive_allow_sources[i], c.redrive_allow.sources[i]);
    }
    WriteVersioned(info, out);
    return Status::OK();
  });
}

void seglog_queue_stats_init(seglog_queue_statistics* st) {
  if (st == nullptr) return;
  *st = seglog_queue_statistics{};
  st->struct_size = sizeof(seglog_queue_statistics);
}

int seglog_queue_stats(seglog_handle* db, const char* name, seglog_queue_statistics* st) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(st, "st"));
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(st, kQueueStatsSizes, "seglog_queue_statistics",
                                           "seglog_queue_stats_init"));
    seglog::QueueStats q;
    SEGLOG_RETURN_IF_ERROR(db->queues->Stats(name, &q));
    seglog_queue_statistics out;
    seglog_queue_stats_init(&out);
    out.visible = q.visible;
    out.in_flight = q.in_flight;
    out.delayed = q.delayed;
    out.oldest_age_ms = q.oldest_age_ms;
    out.deleted_ids = q.deleted_ids;
    out.bitmap_bytes = q.bitmap_bytes;
    out.log_bytes = q.log_bytes;
    out.log_segments = q.log_segments;
    out.journal_bytes = q.journal_bytes;
    out.groups = q.groups;
    WriteVersioned(st, out);
    return Status::OK();
  });
}

int seglog_queue_purge(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    return db->queues->Purge(name);
  });
}

void seglog_queue_send_entry_init(seglog_queue_send_entry* e, const void* body, size_t len) {
  if (e == nullptr) return;
  *e = seglog_queue_send_entry{};
  e->body = body;
  e->body_len = len;
  e->attrs = nullptr;
  e->n_attrs = 0;
  e->delay_s = -1;
  e->group_id = nullptr;
  e->dedup_id = nullptr;
}

int seglog_queue_send(seglog_handle* db, const char* name, const seglog_queue_send_entry* e,
                      uint64_t* id, int* duplicate) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(e, "e"));
    std::vector<seglog::format::MessageAttribute> attrs;
    seglog::SendEntry se;
    SEGLOG_RETURN_IF_ERROR(SendEntryFromC(*e, "", &attrs, &se));
    seglog::SendResult r;
    SEGLOG_RETURN_IF_ERROR(db->queues->Send(name, se, &r));
    if (id != nullptr) *id = r.id.value();
    if (duplicate != nullptr) *duplicate = r.duplicate ? 1 : 0;
    return Status::OK();
  });
}

int seglog_queue_send_batch(seglog_handle* db, const char* name,
                            const seglog_queue_send_entry* entries, size_t n,
                            seglog_queue_send_result* results) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(entries, "entries"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    if (n == 0 || n > seglog::kQueueMaxBatch) {
      return Status::InvalidArgument("a send batch holds 1 to 10 messages, got " +
                                     std::to_string(n));
    }
    std::vector<std::vector<seglog::format::MessageAttribute>> attrs(n);
    std::vector<seglog::SendEntry> es(n);
    for (size_t i = 0; i < n; ++i) {
      SEGLOG_RETURN_IF_ERROR(
          SendEntryFromC(entries[i], "message " + std::to_string(i) + ": ", &attrs[i], &es[i]));
    }
    std::vector<seglog::SendResult> rs;
    SEGLOG_RETURN_IF_ERROR(db->queues->SendBatch(name, es, &rs));
    if (rs.size() != n) {
      return Status(StatusCode::kCorruption, "internal: SendBatch returned " +
                                                 std::to_string(rs.size()) + " results for " +
                                                 std::to_string(n) + " messages");
    }
    for (size_t i = 0; i < n; ++i) {
      results[i].id = rs[i].id.value();
      results[i].duplicate = rs[i].duplicate ? 1 : 0;
    }
    return Status::OK();
  });
}

void seglog_queue_receive_options_init(seglog_queue_receive_options* opt) {
  if (opt == nullptr) return;
  const seglog::ReceiveOptions d;
  *opt = seglog_queue_receive_options{};
  opt->struct_size = sizeof(seglog_queue_receive_options);
  opt->max_messages = d.max_messages;
  opt->visibility_timeout_s = d.visibility_timeout_s;
  opt->wait_s = d.wait_s;
  opt->attempt_id = nullptr;
}

int seglog_queue_receive(seglog_handle* db, const char* name,
                         const seglog_queue_receive_options* opt, seglog_queue_messages** out) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = nullptr;
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    seglog_queue_receive_options o;
    seglog_queue_receive_options_init(&o);
    if (opt != nullptr) {
      SEGLOG_RETURN_IF_ERROR(
          ReadVersioned(opt, kReceiveOptionsSizes, "seglog_queue_receive_options", &o));
    }
    if (o.max_messages < 1 || o.max_messages > seglog::kQueueMaxBatch) {
      return Status::InvalidArgument("max_messages must be 1 to 10, got " +
                                     std::to_string(o.max_messages));
    }
    if (o.visibility_timeout_s < -1 ||
        o.visibility_timeout_s > static_cast<int32_t>(seglog::kQueueMaxVisibilityS)) {
      return Status::InvalidArgument("visibility_timeout_s must be -1 (the queue's) or 0 to "
                                     "43,200, got " + std::to_string(o.visibility_timeout_s));
    }
    if (o.wait_s < -1 || o.wait_s > static_cast<int32_t>(seglog::kQueueMaxWaitS)) {
      return Status::InvalidArgument("wait_s must be -1 (the queue's) or 0 to 20, got " +
                                     std::to_string(o.wait_s));
    }
    seglog::ReceiveOptions ro;
    ro.max_messages = o.max_messages;
    ro.visibility_timeout_s = o.visibility_timeout_s;
    ro.wait_s = o.wait_s;
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.checksums, "checksums"));
    // The batch's v2 view (seglog_queue_messages_get_v2): MessageId and SequenceNumber always,
    // the digests when asked for.
    ro.report = o.checksums != 0 ? seglog::Report::kSqs : seglog::Report::kSqsIds;
    // The engine checks the attempt id's length and characters (FIFO; ignored on standard).
    ro.attempt_id = o.attempt_id == nullptr ? std::string_view() : std::string_view(o.attempt_id);
    std::vector<seglog::ReceivedMessage> ms;
    SEGLOG_RETURN_IF_ERROR(db->queues->Receive(name, ro, &ms));
    // The messages are received (and in flight) now; should the copy fail for want of memory,
    // they become visible again when their visibility timeout ends, as after a lost response.
    *out = NewBatch(ms);
    return Status::OK();
  });
}

size_t seglog_queue_messages_count(const seglog_queue_messages* batch) {
  return batch == nullptr ? 0 : batch->count;
}

const seglog_queue_message* seglog_queue_messages_get(const seglog_queue_messages* batch,
                                                      size_t i) {
  if (batch == nullptr || i >= batch->count) return nullptr;
  return &batch->msgs[i];
}

void seglog_queue_messages_free(seglog_queue_messages* batch) { std::free(batch); }

int seglog_queue_delete_message(seglog_handle* db, const char* name, const char* receipt) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipt, "receipt"));
    return db->queues->DeleteMessage(name, receipt);
  });
}

int seglog_queue_delete_message_batch(seglog_handle* db, const char* name,
                                      const char* const* receipts, size_t n, int* results) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipts, "receipts"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    if (n == 0 || n > seglog::kQueueMaxBatch) {
      return Status::InvalidArgument("a delete batch holds 1 to 10 receipts, got " +
                                     std::to_string(n));
    }
    std::vector<std::string_view> rs(n);
    for (size_t i = 0; i < n; ++i) {
      if (receipts[i] == nullptr) {
        return Status::InvalidArgument("receipt " + std::to_string(i) + " is NULL");
      }
      rs[i] = receipts[i];
    }
    std::vector<Status> st;
    SEGLOG_RETURN_IF_ERROR(db->queues->DeleteMessageBatch(name, rs, &st));
    if (st.size() != n) {
      return Status(StatusCode::kCorruption, "internal: DeleteMessageBatch returned " +
                                                 std::to_string(st.size()) + " results for " +
                                                 std::to_string(n) + " receipts");
    }
    for (size_t i = 0; i < n; ++i) results[i] = ReturnCode(st[i].code());
    return Status::OK();
  });
}

int seglog_queue_change_visibility(seglog_handle* db, const char* name, const char* receipt,
                                   uint32_t timeout_s) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipt, "receipt"));
    return db->queues->ChangeVisibility(name, receipt, timeout_s);
  });
}

int seglog_queue_redrive(seglog_handle* db, const char* dlq, const char* target, size_t max,
                         size_t* moved) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(dlq, "dead-letter queue"));
    std::string t;
    if (target != nullptr && target[0] != '\0') {
      SEGLOG_RETURN_IF_ERROR(CheckName(target, "target queue"));
      t = target;
    }
    size_t m = 0;
    SEGLOG_RETURN_IF_ERROR(db->queues->Redrive(dlq, t, max, &m));
    if (moved != nullptr) *moved = m;
    return Status::OK();
  });
}

}  // extern "C"
