// What SQS hands out about a message besides its body, derived so that none of it costs a byte
// on disk: the MessageId (a UUID), FIFO's SequenceNumber, and the MD5 digests SQS's SDKs check
// (MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes). Pure functions of
// their arguments; SPEC.md 16 ("Message identity and checksums") states each rule.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "format/queue_format.h"
#include "format/types.h"

namespace seglog {

// The message's SQS MessageId: UUID text (36 characters, lower-case hex, RFC 9562 version 8)
// derived from the queue's incarnation (its message log's catalog id, never reused in a store)
// and the message's id in it: unique across the store, the same on every receive.
std::string MessageIdFor(uint64_t queue_incarnation, uint64_t id);

// A FIFO message's SequenceNumber: 20 decimal digits, increasing with the id within a queue.
std::string SequenceNumberFor(uint64_t id);

// Hex MD5 of the body's bytes (SQS MD5OfMessageBody).
std::string Md5OfBody(ByteView body);

// SQS MD5OfMessageAttributes: the attributes sorted by name, each encoded as SQS documents
// (length-prefixed name, length-prefixed DataType with its custom label, a transport byte 1
// for String/Number or 2 for Binary, length-prefixed value). "" when there are none (SQS then
// omits the field).
std::string Md5OfAttributes(std::span<const format::MessageAttribute> attrs);

// SQS MD5OfMessageSystemAttributes over the one system attribute a sender may set,
// AWSTraceHeader (a String). "" when trace_header is empty.
std::string Md5OfSystemAttributes(std::string_view trace_header);

}  // namespace seglog
