#include "format/checkpoint_format.h"

#include "format/coding.h"

namespace seglog::format {

namespace {
constexpr size_t kHeaderSize = 8 + 4 + 4 + 4;
constexpr size_t kChecksumSize = 8;
}  // namespace

ByteBuffer EncodeCheckpoints(const std::vector<CheckpointEntry>& entries) {
  size_t size = kHeaderSize + kChecksumSize;
  for (const auto& e : entries) size += 2 + e.consumer.size() + 12;
  ByteBuffer out;
  out.reserve(size);
  PutFixed64(&out, kCheckpointMagic);
  PutFixed32(&out, kCheckpointVersion);
  PutFixed32(&out, 0);
  PutFixed32(&out, static_cast<uint32_t>(entries.size()));
  for (const auto& e : entries) {
    uint8_t len[2];
    EncodeFixed16(len, static_cast<uint16_t>(e.consumer.size()));
    out.insert(out.end(), len, len + 2);
    out.insert(out.end(), e.consumer.begin(), e.consumer.end());
    PutFixed32(&out, e.shard);
    PutFixed64(&out, e.seq.value());
  }
  PutFixed64(&out, Checksum(out));
  return out;
}

Status DecodeCheckpoints(ByteView in, std::vector<CheckpointEntry>* entries) {
  size_t body = 0;
  SEGLOG_RETURN_IF_ERROR(CheckFileFrame(in, kCheckpointMagic, kCheckpointVersion,
                                        kHeaderSize + kChecksumSize, "checkpoint file", &body));
  const uint32_t count = DecodeFixed32(in.data() + 16);
  size_t p = kHeaderSize;
  std::vector<CheckpointEntry> out;
  for (uint32_t i = 0; i < count; ++i) {
    if (body - p < 2) return Status::Corruption("checkpoint entry runs past the end");
    const size_t n = DecodeFixed16(in.data() + p);
    p += 2;
    if (body - p < n + 12) return Status::Corruption("checkpoint entry runs past the end");
    CheckpointEntry e;
    e.consumer.assign(reinterpret_cast<const char*>(in.data() + p), n);
    p += n;
    e.shard = DecodeFixed32(in.data() + p);
    e.seq = SeqNo(DecodeFixed64(in.data() + p + 4));
    p += 12;
    out.push_back(std::move(e));
  }
  if (p != body) return Status::Corruption("checkpoint file has bytes after its last entry");
  *entries = std::move(out);
  return Status::OK();
}

}  // namespace seglog::format
