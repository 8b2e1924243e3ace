// The queues' pure validators: names of FIFO groups and deduplication ids, message attributes
// (names, String values as UTF-8, SQS Number syntax), a message's size as SQS counts it, one
// entry of a send, and the settings of a queue. Pure functions of their arguments: no Log, no
// Store, no clock, safe from any thread. Error messages are part of the C API's behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "engine/queues/queue_config.h"
#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

// True when the queue name `n` ends in ".fifo" (a FIFO queue's names must, others' must not).
bool EndsWithFifo(std::string_view n);

// FIFO group and deduplication ids: 1..128 characters of ASCII 33..126 (SQS's rule). `what`
// names the id in the error ("message group id").
Status ValidateFifoId(const char* what, std::string_view id);

// Well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool ValidUtf8(std::string_view s);

// SQS Number: an optional sign, digits with an optional fraction, an optional exponent of up
// to 3 digits; at most 38 significant digits.
bool ValidNumber(std::string_view s);

// ---- The aws limits profile (Limits::kAws; SPEC.md 16, "Limits profiles") ----
// Each is OK under Limits::kRelaxed, which keeps seglog's wider rules.

inline constexpr size_t kAwsQueueNameMaxBytes = 80;  // ".fifo" included

// SQS's allowed message characters: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
bool IsSqsTextChar(uint32_t cp);
// kAws: [A-Za-z0-9_-]{1,80}, a FIFO queue's ".fifo" suffix included in the 80.
Status ValidateQueueNameLimits(std::string_view name, bool fifo, Limits limits);
// kAws: `text` (a body or a String attribute's value, named by `what` + `part`) is valid UTF-8
// of SQS's allowed characters; else InvalidArgument starting "InvalidMessageContents: ". The
// name is put together only on failure (sends call this per message).
Status ValidateSqsText(ByteView text, std::string_view what, std::string_view part,
                       Limits limits);
// kAws: a Number's magnitude is 0 or between 10^-128 and 10^+126 (SQS's range). REQUIRES:
// ValidNumber(s).
Status ValidateNumberRange(std::string_view s, const std::string& what, Limits limits);

// 1..256 of [A-Za-z0-9_.-], no leading, trailing or doubled '.', no "AWS." / "Amazon." prefix.
Status ValidateAttributeName(std::string_view n);

// Body + attributes (name, DataType = type name + "." + custom label when there is one,
// value), as SQS counts a message's size. The AWSTraceHeader does not count (as SQS).
size_t MessageSize(ByteView body, std::span<const format::MessageAttribute> attrs);

// One entry of a send to a queue configured as `cfg`; `what` names it in errors ("message",
// "message 3"). On success *size is MessageSize (counted towards the batch's 1 MiB).
Status ValidateSendEntry(const SendEntry& e, const QueueConfig& cfg, const std::string& what,
                         size_t* size);

// QueueConfig::Validate's parts that need nothing but the config: the type and the name's
// ".fifo" suffix, the numeric ranges and content-based deduplication.
Status ValidateQueueLimits(const QueueConfig& c, std::string_view name);
// The dead-letter settings once the dead-letter queue's name itself is known to be valid.
Status ValidateDeadLetterSettings(const QueueConfig& c, std::string_view name);

}  // namespace seglog
