// Queue tags' rules and their catalog form (the queues room's own header; queue_tags.cc
// implements it, Queues::Create and the tag calls use it). SPEC.md 16.16.
//
// Storage: a queue's tags are ONE catalog property, kTagsProp, of its message log, holding the
// whole map (EncodeQueueTags), rewritten whole by every change in one catalog write (the store
// cannot remove a property, and one property makes a change all or nothing). A queue without
// tags has no such property (queues created before 0.3.0 read as untagged).
#pragma once

#include <string>
#include <string_view>

#include "engine/queues/queue.h"
#include "format/queue_catalog_format.h"
#include "format/queue_format.h"
#include "format/status.h"

namespace seglog {

inline constexpr const char* kTagsProp = format::queue_props::kTags;
inline constexpr size_t kQueueTagKeyMaxChars = 128;
inline constexpr size_t kQueueTagValueMaxChars = 256;

// InvalidArgument, naming the key, unless `key` is a valid tag key: 1 .. 128 characters of
// well-formed UTF-8, each an ASCII letter, digit, space or one of _ . : / = + - @, or a
// non-ASCII character other than a C1 control (U+0080 .. U+009F); not starting with "aws:"
// (any case).
Status CheckQueueTagKey(std::string_view key);
// InvalidArgument, naming the key, unless `value` is 0 .. 256 such characters.
Status CheckQueueTagValue(std::string_view key, std::string_view value);
// Every tag of `tags`, and at most kQueueMaxTags of them.
Status CheckQueueTags(const QueueTags& tags);

// The catalog form (format/queue_catalog_format.h).
using format::DecodeQueueTags;
using format::EncodeQueueTags;

}  // namespace seglog
