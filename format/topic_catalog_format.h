// A topic's catalog properties (SPEC.md Part VII, "Storage"): the settings, tags and
// subscriptions of topic <name> are properties of its log "topic:<name>/messages" (the log's
// own options - durability, sync interval, segment size - are the store's usual log
// properties). Pure functions over text: no I/O, any thread. The topics room writes them; the
// tools read them.
//
//   topic                  the topic's name
//   part                   "messages"
//   type                   "standard" | "fifo"
//   display_name           SNS DisplayName (may be "")
//   content_based_dedup    "0" | "1"
//   signature_version      "1" | "2"
//   retention_s            decimal
//   created_ms             ms since the epoch, decimal
//   limits                 "aws" when the topic was created under the aws limits (else absent)
//   tags                   format::EncodeQueueTags's form (absent = none)
//   subscriptions          EncodeSubscriptionList's form (absent = none)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace seglog::format {

namespace topic_props {
inline constexpr char kTopic[] = "topic";
inline constexpr char kPart[] = "part";
inline constexpr char kPartMessages[] = "messages";
inline constexpr char kType[] = "type";
inline constexpr char kTypeStandard[] = "standard";
inline constexpr char kTypeFifo[] = "fifo";
inline constexpr char kDisplayName[] = "display_name";
inline constexpr char kContentDedup[] = "content_based_dedup";
inline constexpr char kSignatureVersion[] = "signature_version";
inline constexpr char kRetention[] = "retention_s";
inline constexpr char kCreatedMs[] = "created_ms";
inline constexpr char kTags[] = "tags";
inline constexpr char kSubscriptions[] = "subscriptions";
}  // namespace topic_props

enum class SubscriptionProtocolCode : uint8_t { kSqs, kCallback };
enum class FilterScopeCode : uint8_t { kMessageAttributes, kMessageBody };

// One subscription as the catalog keeps it.
struct SubscriptionEntry {
  std::string id;              // UUID text (36 characters)
  uint64_t key = 0;            // random, not 0, unique among the store's subscriptions; tags
                               // deliveries and names the cursor file (format/topic_format.h)
  SubscriptionProtocolCode protocol = SubscriptionProtocolCode::kSqs;
  std::string endpoint;        // queue name or callback name
  bool raw = false;
  FilterScopeCode scope = FilterScopeCode::kMessageAttributes;
  std::string filter_policy;   // "" = none
  std::string redrive_queue;   // "" = none
  int64_t created_ms = 0;
  bool operator==(const SubscriptionEntry&) const = default;
};

// `subscriptions` := "1" (";" sub)*, in the order given (the engine keeps them sorted by id);
// sub := id "," key "," protocol ("sqs" | "callback") "," hex(endpoint) "," raw ("0" | "1")
// "," scope ("attributes" | "body") "," hex(filter_policy) "," hex(redrive_queue) ","
// created_ms (decimal numbers; hex = two lower-case hex digits per byte, "" for empty).
std::string EncodeSubscriptionList(const std::vector<SubscriptionEntry>& subs);
// False when malformed (*subs unchanged then).
bool DecodeSubscriptionList(std::string_view text, std::vector<SubscriptionEntry>* subs);

}  // namespace seglog::format
