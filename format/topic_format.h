// Byte layouts of a topic (SPEC.md Part VII): the header of a published message (the attrs of
// its record in the topic's log "topic:<name>/messages"; the record's key is the message group
// id, "" for none; its value is the message as published), and a subscription's cursor file.
// Pure encode/decode: no I/O, any thread; the topics room writes them, the tools read them.
//
// Topic message header (all varints are LEB128, as format/coding.h):
//   | version u8 = 1 | flags u8 | published_ms varint |
//   | (flags & kTopicHasSubject) subject_len varint, subject bytes (1 .. 100) |
//   | (flags & kTopicHasDedupId) dedup_len varint, dedup id bytes (1 .. 128; FIFO topics) |
//   | attr_count varint | per attribute: name_len varint, name, type u8 (format::
//   |   AttributeType: 1 String, 2 Number, 3 Binary), (flags & kTopicAttrLabels) label_len
//   |   varint, label, value_len varint, value |
// flags: kTopicHasSubject 0x01, kTopicJsonStructure 0x02 (MessageStructure=json: the value is
// a JSON object of per-protocol messages), kTopicHasDedupId 0x04, kTopicAttrLabels 0x08 (set
// when some attribute has a type label; SNS's String.Array is type String, label "Array").
// A decoder refuses a higher version or an unknown flag with NotSupported, malformed bytes
// (short, trailing bytes, an attribute type outside 1..3) with Corruption.
//
// The MessageId of a published message is not stored: it is derived from the topic log's
// catalog id and the message's sequence number exactly as a queue message's MessageId is
// derived from its message log's id and its id (SPEC.md 16, engine/queues/message_identity.h
// MessageIdFor), so it is stable across restarts and unique in the store (log ids are never
// reused). A FIFO topic's SequenceNumber is the sequence number as 20 decimal digits.
//
// Subscription cursor file "sub-<key as 16 lower-case hex>.cursor" in the topic log's
// directory: exactly 2 slots of kCursorSlotBytes = 48 (96 bytes in all), written alternately
// (generation g goes to slot g % 2) with pwrite, fdatasynced at most once a second and at
// close. Slot layout (little-endian fixed-width):
//   | magic u32 = 0x43544753 ("SGTC") | version u32 = 1 | sub_key u64 | generation u64 |
//   | next_seq u64 (the next topic sequence number the subscription takes) |
//   | queue_next_id u64 (the delivery queue's next message id when this slot was written; 0
//   |   for callback subscriptions) | checksum u64 (format::Checksum of the 40 bytes before) |
// A slot whose magic, version, key or checksum does not match is invalid (never written, or
// torn); the cursor is the valid slot with the higher generation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline constexpr uint8_t kTopicHeaderVersion = 1;
inline constexpr uint8_t kTopicHasSubject = 0x01;
inline constexpr uint8_t kTopicJsonStructure = 0x02;
inline constexpr uint8_t kTopicHasDedupId = 0x04;
inline constexpr uint8_t kTopicAttrLabels = 0x08;
inline constexpr uint8_t kTopicKnownFlags =
    kTopicHasSubject | kTopicJsonStructure | kTopicHasDedupId | kTopicAttrLabels;

struct TopicMessageHeader {
  int64_t published_ms = 0;
  std::string_view subject;     // "" = none
  bool json_structure = false;
  std::string_view dedup_id;    // "" = none (FIFO topics always have one)
  std::vector<MessageAttribute> attributes;
};

// Appends the encoding of `h` to *out.
void EncodeTopicMessageHeader(const TopicMessageHeader& h, ByteBuffer* out);
// Views in *h point into `in`. *h unchanged on error.
Status DecodeTopicMessageHeader(ByteView in, TopicMessageHeader* h);

// ---- the cursor file ----
inline constexpr uint32_t kCursorMagic = 0x43544753;  // "SGTC" little-endian
inline constexpr uint32_t kCursorVersion = 1;
inline constexpr size_t kCursorSlotBytes = 48;
inline constexpr size_t kCursorFileBytes = 2 * kCursorSlotBytes;

struct CursorSlot {
  uint64_t sub_key = 0;
  uint64_t generation = 0;
  uint64_t next_seq = 0;
  uint64_t queue_next_id = 0;
  bool operator==(const CursorSlot&) const = default;
};

// The cursor file's name for subscription `sub_key`: "sub-%016x.cursor".
std::string CursorFileName(uint64_t sub_key);
// The slot's 48 bytes.
std::string EncodeCursorSlot(const CursorSlot& s);
// The slot generation s.generation is written at: s.generation % 2 * kCursorSlotBytes.
inline uint64_t CursorSlotOffset(uint64_t generation) { return (generation % 2) * kCursorSlotBytes; }
// The newest valid slot of a cursor file's contents (any length: missing slots are invalid)
// for subscription `sub_key`; nullopt when neither slot is valid.
std::optional<CursorSlot> DecodeCursorFile(std::string_view file, uint64_t sub_key);

}  // namespace seglog::format
