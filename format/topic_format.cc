#include "format/topic_format.h"

#include <cstdio>
#include <cstring>

#include "format/byte_reader.h"
#include "format/coding.h"

namespace seglog::format {

namespace {

ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
void PutBytes(ByteBuffer* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->insert(out->end(), s.begin(), s.end());
}

}  // namespace

void EncodeTopicMessageHeader(const TopicMessageHeader& h, ByteBuffer* out) {
  bool labels = false;
  for (const MessageAttribute& a : h.attributes) labels = labels || !a.type_label.empty();
  uint8_t flags = 0;
  if (!h.subject.empty()) flags |= kTopicHasSubject;
  if (h.json_structure) flags |= kTopicJsonStructure;
  if (!h.dedup_id.empty()) flags |= kTopicHasDedupId;
  if (labels) flags |= kTopicAttrLabels;
  out->push_back(kTopicHeaderVersion);
  out->push_back(flags);
  PutVarint64(out, static_cast<uint64_t>(h.published_ms));
  if (!h.subject.empty()) PutBytes(out, h.subject);
  if (!h.dedup_id.empty()) PutBytes(out, h.dedup_id);
  PutVarint64(out, h.attributes.size());
  for (const MessageAttribute& a : h.attributes) {
    PutBytes(out, a.name);
    out->push_back(static_cast<uint8_t>(a.type));
    if (labels) PutBytes(out, a.type_label);
    PutBytes(out, AsChars(a.value));
  }
}

Status DecodeTopicMessageHeader(ByteView in, TopicMessageHeader* h) {
  ByteReader r(in);
  uint8_t version = 0, flags = 0;
  if (!r.Byte(&version) || !r.Byte(&flags)) return Status::Corruption("topic message header: short");
  if (version == 0) return Status::Corruption("topic message header: version 0");
  if (version > kTopicHeaderVersion) {
    return Status::NotSupported("topic message header version " + std::to_string(version));
  }
  if ((flags & ~kTopicKnownFlags) != 0) {
    return Status::NotSupported("topic message header flags " + std::to_string(flags));
  }
  TopicMessageHeader out;
  uint64_t published = 0, n = 0;
  if (!r.Varint(&published) || published > INT64_MAX) {
    return Status::Corruption("topic message header: bad publish time");
  }
  out.published_ms = static_cast<int64_t>(published);
  out.json_structure = (flags & kTopicJsonStructure) != 0;
  if ((flags & kTopicHasSubject) != 0 && (!r.Bytes(&out.subject) || out.subject.empty())) {
    return Status::Corruption("topic message header: bad subject");
  }
  if ((flags & kTopicHasDedupId) != 0 && (!r.Bytes(&out.dedup_id) || out.dedup_id.empty())) {
    return Status::Corruption("topic message header: bad dedup id");
  }
  const bool labels = (flags & kTopicAttrLabels) != 0;
  if (!r.Varint(&n) || n > in.size()) {
    return Status::Corruption("topic message header: bad attribute count");
  }
  out.attributes.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    MessageAttribute a;
    uint8_t type = 0;
    std::string_view value;
    if (!r.Bytes(&a.name) || !r.Byte(&type) || (labels && !r.Bytes(&a.type_label)) ||
        !r.Bytes(&value)) {
      return Status::Corruption("topic message header: bad attribute " + std::to_string(i));
    }
    if (type < 1 || type > 3) {
      return Status::Corruption("topic message header: attribute type " + std::to_string(type));
    }
    a.type = static_cast<AttributeType>(type);
    a.value = AsBytes(value);
    out.attributes.push_back(a);
  }
  if (!r.done()) return Status::Corruption("topic message header: trailing bytes");
  *h = std::move(out);
  return Status::OK();
}

std::string CursorFileName(uint64_t sub_key) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "sub-%016llx.cursor", static_cast<unsigned long long>(sub_key));
  return buf;
}

std::string EncodeCursorSlot(const CursorSlot& s) {
  uint8_t b[kCursorSlotBytes];
  EncodeFixed32(b, kCursorMagic);
  EncodeFixed32(b + 4, kCursorVersion);
  EncodeFixed64(b + 8, s.sub_key);
  EncodeFixed64(b + 16, s.generation);
  EncodeFixed64(b + 24, s.next_seq);
  EncodeFixed64(b + 32, s.queue_next_id);
  EncodeFixed64(b + 40, Checksum(ByteView(b, 40)));
  return std::string(reinterpret_cast<const char*>(b), sizeof(b));
}

std::optional<CursorSlot> DecodeCursorFile(std::string_view file, uint64_t sub_key) {
  std::optional<CursorSlot> best;
  for (size_t i = 0; i < 2; ++i) {
    if (file.size() < (i + 1) * kCursorSlotBytes) break;
    const uint8_t* b = reinterpret_cast<const uint8_t*>(file.data()) + i * kCursorSlotBytes;
    if (DecodeFixed32(b) != kCursorMagic || DecodeFixed32(b + 4) != kCursorVersion ||
        DecodeFixed64(b + 8) != sub_key || DecodeFixed64(b + 40) != Checksum(ByteView(b, 40))) {
      continue;
    }
    CursorSlot s{sub_key, DecodeFixed64(b + 16), DecodeFixed64(b + 24), DecodeFixed64(b + 32)};
    if (CursorSlotOffset(s.generation) != i * kCursorSlotBytes) continue;  // misplaced
    if (!best || s.generation > best->generation) best = s;
  }
  return best;
}

}  // namespace seglog::format
