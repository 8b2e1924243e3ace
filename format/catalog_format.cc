#include "format/catalog_format.h"

#include <cassert>
#include <limits>
#include <string>

#include "format/coding.h"

namespace seglog::format {
namespace {

constexpr size_t kCatMagic = 0, kCatVersion = 8, kCatReserved = 12, kCatNextLogId = 16,
                 kCatLogCount = 24;
constexpr size_t kCatHeaderSize = 8 + 4 + 4 + 8 + 4;
static_assert(kCatLogCount + 4 == kCatHeaderSize);
constexpr size_t kCatChecksumSize = 8;
// log_id u64 + name_len u16 + prop_count u16, with an empty name and no properties.
constexpr size_t kMinEntrySize = 8 + 2 + 2;

void PutFixed16(ByteBuffer* dst, uint16_t v) {
  uint8_t b[2];
  EncodeFixed16(b, v);
  dst->insert(dst->end(), b, b + 2);
}
void PutBytes(ByteBuffer* dst, const std::string& s) {
  dst->insert(dst->end(), s.begin(), s.end());
}

// Bounds-checked reading of [p, end); every getter returns false once the bytes run out.
class Reader {
 public:
  Reader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  bool U16(uint16_t* v) {
    if (left() < 2) return false;
    *v = DecodeFixed16(p_);
    p_ += 2;
    return true;
  }
  bool U32(uint32_t* v) {
    if (left() < 4) return false;
    *v = DecodeFixed32(p_);
    p_ += 4;
    return true;
  }
  bool U64(uint64_t* v) {
    if (left() < 8) return false;
    *v = DecodeFixed64(p_);
    p_ += 8;
    return true;
  }
  bool Str(size_t n, std::string* s) {
    if (left() < n) return false;
    s->assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

bool ParseEntry(Reader* r, CatalogEntry* e) {
  uint16_t name_len = 0, prop_count = 0;
  if (!r->U64(&e->log_id) || !r->U16(&name_len) || !r->Str(name_len, &e->name) ||
      !r->U16(&prop_count)) {
    return false;
  }
  // A property is at least key_len u16 + val_len u32.
  if (prop_count > r->left() / (2 + 4)) return false;
  e->props.resize(prop_count);
  for (auto& [key, val] : e->props) {
    uint16_t key_len = 0;
    uint32_t val_len = 0;
    if (!r->U16(&key_len) || !r->Str(key_len, &key) || !r->U32(&val_len) ||
        !r->Str(val_len, &val)) {
      return false;
    }
  }
  return true;
}

}  // namespace

ByteBuffer EncodeCatalog(const Catalog& c) {
  assert(c.logs.size() <= std::numeric_limits<uint32_t>::max());
  size_t size = kCatHeaderSize + kCatChecksumSize;
  for (const CatalogEntry& e : c.logs) {
    size += kMinEntrySize + e.name.size();
    for (const auto& [key, val] : e.props) size += 2 + key.size() + 4 + val.size();
  }
  ByteBuffer out;
  out.reserve(size);
  PutFixed64(&out, kCatalogMagic);
  PutFixed32(&out, kCatalogVersion);
  PutFixed32(&out, 0);
  PutFixed64(&out, c.next_log_id);
  PutFixed32(&out, static_cast<uint32_t>(c.logs.size()));
  for (const CatalogEntry& e : c.logs) {
    assert(e.name.size() <= std::numeric_limits<uint16_t>::max());
    assert(e.props.size() <= std::numeric_limits<uint16_t>::max());
    PutFixed64(&out, e.log_id);
    PutFixed16(&out, static_cast<uint16_t>(e.name.size()));
    PutBytes(&out, e.name);
    PutFixed16(&out, static_cast<uint16_t>(e.props.size()));
    for (const auto& [key, val] : e.props) {
      assert(key.size() <= std::numeric_limits<uint16_t>::max());
      assert(val.size() <= std::numeric_limits<uint32_t>::max());
      PutFixed16(&out, static_cast<uint16_t>(key.size()));
      PutBytes(&out, key);
      PutFixed32(&out, static_cast<uint32_t>(val.size()));
      PutBytes(&out, val);
    }
  }
  PutFixed64(&out, Checksum(ByteView(out.data(), out.size())));
  assert(out.size() == size);
  return out;
}

Status DecodeCatalog(ByteView in, Catalog* c) {
  if (in.size() < kCatHeaderSize + kCatChecksumSize) {
    return Status::Corruption("truncated catalog");
  }
  const uint8_t* p = in.data();
  if (DecodeFixed64(p + kCatMagic) != kCatalogMagic) {
    return Status::Corruption("bad catalog magic");
  }
  const size_t body = in.size() - kCatChecksumSize;
  if (DecodeFixed64(p + body) != Checksum(ByteView(p, body))) {
    return Status::Corruption("catalog checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(p + kCatVersion);
  if (version > kCatalogVersion) {
    return Status::NotSupported("catalog version " + std::to_string(version) +
                                " is newer than this build's " +
                                std::to_string(kCatalogVersion));
  }
  if (version == 0) return Status::Corruption("catalog version 0");
  if (DecodeFixed32(p + kCatReserved) != 0) {
    return Status::Corruption("nonzero reserved field in catalog header");
  }
  Catalog out;
  out.next_log_id = DecodeFixed64(p + kCatNextLogId);
  const uint32_t log_count = DecodeFixed32(p + kCatLogCount);
  Reader r(p + kCatHeaderSize, p + body);
  if (log_count > r.left() / kMinEntrySize) {
    return Status::Corruption("catalog log count " + std::to_string(log_count) +
                              " does not fit its size");
  }
  out.logs.resize(log_count);
  for (uint32_t i = 0; i < log_count; ++i) {
    if (!ParseEntry(&r, &out.logs[i])) {
      return Status::Corruption("malformed catalog entry " + std::to_string(i));
    }
  }
  if (r.left() != 0) return Status::Corruption("trailing bytes after the catalog's entries");
  *c = std::move(out);
  return Status::OK();
}

const std::string* FindProp(const CatalogEntry& e, std::string_view key) {
  for (const auto& [k, v] : e.props) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool ParsePropU32(const std::string* s, uint32_t* out) {
  if (s == nullptr || s->empty() || s->size() > 10) return false;
  uint64_t v = 0;
  for (char c : *s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace seglog::format
