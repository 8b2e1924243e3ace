#include "format/queue_format.h"

#include <algorithm>
#include <string>

#include "format/byte_reader.h"
#include "format/coding.h"

namespace seglog::format {

std::string_view AttributeTypeName(AttributeType t) {
  switch (t) {
    case AttributeType::kString: return "String";
    case AttributeType::kNumber: return "Number";
    case AttributeType::kBinary: return "Binary";
  }
  return "?";
}

namespace {

void PutBytes(ByteBuffer* out, ByteView b) {
  PutVarint64(out, b.size());
  out->insert(out->end(), b.begin(), b.end());
}

ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

void EncodeQueueMessageHeader(const QueueMessageHeader& h, ByteBuffer* out) {
  // Room for all of it at once (varints take at most 10 bytes); growing geometrically, since
  // callers append many headers to one buffer.
  size_t most = 2 + 10 + 10 + 10;
  if (h.has_dedup_id) most += 10 + h.dedup_id.size();
  if (h.moved) most += 10 + h.source.size() + 10;
  most += 20 + h.sender_id.size() + h.trace_header.size();
  if (h.has_origin) most += 16 + 10;
  if (h.has_topic_origin) most += 20;
  bool labels = false;
  for (const MessageAttribute& a : h.attributes) {
    most += 10 + a.name.size() + 1 + 10 + a.type_label.size() + 10 + a.value.size();
    labels = labels || !a.type_label.empty();
  }
  if (out->capacity() - out->size() < most) out->reserve(std::max(out->size() + most, 2 * out->capacity()));
  uint8_t flags = 0;
  if (h.has_dedup_id) flags |= kQueueHasDedupId;
  if (h.moved) flags |= kQueueMoved;
  if (!h.sender_id.empty()) flags |= kQueueHasSenderId;
  if (!h.trace_header.empty()) flags |= kQueueHasTraceHeader;
  if (labels) flags |= kQueueAttrLabels;
  if (h.has_origin) flags |= kQueueHasOrigin;
  if (h.has_topic_origin) flags |= kQueueHasTopicOrigin;
  out->push_back(kQueueHeaderVersion);
  out->push_back(flags);
  PutVarint64(out, h.delay_s);
  PutVarint64(out, static_cast<uint64_t>(h.sent_ms));
  if (h.has_dedup_id) PutBytes(out, AsBytes(h.dedup_id));
  if (h.moved) {
    PutBytes(out, AsBytes(h.source));
    PutVarint64(out, h.source_id);
  }
  if (!h.sender_id.empty()) PutBytes(out, AsBytes(h.sender_id));
  if (!h.trace_header.empty()) PutBytes(out, AsBytes(h.trace_header));
  if (h.has_origin) {
    out->insert(out->end(), h.origin_id.begin(), h.origin_id.end());
    PutVarint64(out, h.origin_receive_count);
  }
  if (h.has_topic_origin) {
    PutVarint64(out, h.topic_origin.sub_key);
    PutVarint64(out, h.topic_origin.topic_seq);
  }
  PutVarint64(out, h.attributes.size());
  for (const MessageAttribute& a : h.attributes) {
    PutBytes(out, AsBytes(a.name));
    out->push_back(static_cast<uint8_t>(a.type));
    if (labels) PutBytes(out, AsBytes(a.type_label));
    PutBytes(out, a.value);
  }
}

Status DecodeQueueMessageHeader(ByteView in, QueueMessageHeader* h) {
  ByteReader c(in);
  uint8_t version = 0, flags = 0;
  if (!c.Byte(&version) || !c.Byte(&flags)) return Status::Corruption("queue message header: short");
  if (version == 0) return Status::Corruption("queue message header: version 0");
  if (version > kQueueHeaderVersion) {
    return Status::NotSupported("queue message header version " + std::to_string(version));
  }
  if ((flags & ~kQueueKnownFlags) != 0) {
    return Status::NotSupported("queue message header flags " + std::to_string(flags));
  }
  QueueMessageHeader out;
  uint64_t delay = 0, sent = 0, n = 0;
  if (!c.Varint(&delay) || delay > UINT32_MAX || !c.Varint(&sent) || sent > INT64_MAX) {
    return Status::Corruption("queue message header: bad delay or send time");
  }
  out.delay_s = static_cast<uint32_t>(delay);
  out.sent_ms = static_cast<int64_t>(sent);
  ByteView b;
  if ((flags & kQueueHasDedupId) != 0) {
    if (!c.Bytes(&b)) return Status::Corruption("queue message header: bad dedup id");
    out.has_dedup_id = true;
    out.dedup_id = AsChars(b);
  }
  if ((flags & kQueueMoved) != 0) {
    if (!c.Bytes(&b) || !c.Varint(&out.source_id)) {
      return Status::Corruption("queue message header: bad source");
    }
    out.moved = true;
    out.source = AsChars(b);
  }
  // Present only when not empty: an empty one is malformed (the encoder never writes it).
  if ((flags & kQueueHasSenderId) != 0) {
    if (!c.Bytes(&b) || b.empty()) return Status::Corruption("queue message header: bad sender id");
    out.sender_id = AsChars(b);
  }
  if ((flags & kQueueHasTraceHeader) != 0) {
    if (!c.Bytes(&b) || b.empty()) {
      return Status::Corruption("queue message header: bad trace header");
    }
    out.trace_header = AsChars(b);
  }
  if ((flags & kQueueHasOrigin) != 0) {
    uint64_t count = 0;
    for (uint8_t& byte : out.origin_id) {
      if (!c.Byte(&byte)) return Status::Corruption("queue message header: bad origin id");
    }
    if (!c.Varint(&count) || count > UINT32_MAX) {
      return Status::Corruption("queue message header: bad origin receive count");
    }
    out.has_origin = true;
    out.origin_receive_count = static_cast<uint32_t>(count);
  }
  if ((flags & kQueueHasTopicOrigin) != 0) {
    if (!c.Varint(&out.topic_origin.sub_key) || !c.Varint(&out.topic_origin.topic_seq)) {
      return Status::Corruption("queue message header: bad topic origin");
    }
    out.has_topic_origin = true;
  }
  const bool labels = (flags & kQueueAttrLabels) != 0;
  if (!c.Varint(&n) || n > in.size()) return Status::Corruption("queue message header: bad attribute count");
  out.attributes.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    MessageAttribute a;
    uint8_t type = 0;
    ByteView label;
    if (!c.Bytes(&b) || !c.Byte(&type) || (labels && !c.Bytes(&label)) || !c.Bytes(&a.value)) {
      return Status::Corruption("queue message header: bad attribute " + std::to_string(i));
    }
    if (type < 1 || type > 3) {
      return Status::Corruption("queue message header: attribute type " + std::to_string(type));
    }
    a.name = AsChars(b);
    a.type = static_cast<AttributeType>(type);
    a.type_label = AsChars(label);
    out.attributes.push_back(a);
  }
  if (!c.done()) return Status::Corruption("queue message header: trailing bytes");
  *h = std::move(out);
  return Status::OK();
}

}  // namespace seglog::format
