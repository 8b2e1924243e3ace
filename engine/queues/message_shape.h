// SQS's message shape beyond 0.1's checks (SPEC.md 16.10): an attribute's DataType with its
// custom type label, the SenderId and the AWSTraceHeader a send may carry, and the SQS error
// code of a send-batch entry that was refused. Pure functions: no Log, no Store, any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/queues/queue_config.h"
#include "format/queue_format.h"
#include "format/status.h"

namespace seglog {

// Characters SQS allows in a message body (and in a DataType): #x9 #xA #xD #x20-#xD7FF
// #xE000-#xFFFD #x10000-#x10FFFF, as well-formed UTF-8. *chars (optional): how many.
bool SqsTextChars(std::string_view s, size_t* chars = nullptr);

// "String", "Number.int64": the attribute's SQS DataType.
std::string DataTypeText(format::AttributeType type, std::string_view label);

// Splits a DataType ("Binary", "String.json") into its type and label (a view into `text`).
// InvalidArgument naming `what` for another type name, an empty label after the '.', a label
// outside SqsTextChars, or more than 256 characters in all.
Status ParseDataType(std::string_view text, const std::string& what,
                     format::AttributeType* type, std::string_view* label);

// The 0.2.0 parts of one entry of a send (`what` names it in errors): each attribute's label
// (as ParseDataType), the sender id and the trace header (queue_config.h's limits).
Status ValidateMessageShape(const SendEntry& e, const std::string& what);

// SQS's code for a send entry refused with `s` by the checks of a send: MissingParameter (no
// body; a FIFO entry without a group id), InvalidMessageContents (characters outside the
// allowed set), else InvalidParameterValue (too large included, as SQS).
std::string SendEntryErrorCode(const SendEntry& e, bool fifo, const Status& s);

}  // namespace seglog
