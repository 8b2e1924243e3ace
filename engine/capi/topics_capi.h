// engine/capi: what the topics' C files (topics_api.cc, subscriptions_api.cc, publish_api.cc,
// callbacks_api.cc) share: their structs' published sizes and the argument checks and copies
// they have in common. Internal to the room; stateless.
#pragma once

#include <string>

#include "engine/capi/capi.h"
#include "engine/topics/topics.h"

namespace seglog::capi {

// The sizes each 0.4.0 versioned struct has had (convention 6), oldest first.
inline constexpr size_t kTopicConfigSizes[] = {sizeof(seglog_topic_config)};
inline constexpr size_t kTopicInfoSizes[] = {sizeof(seglog_topic_info)};
inline constexpr size_t kSubscriptionConfigSizes[] = {sizeof(seglog_topic_subscription_config)};
inline constexpr size_t kSubscriptionInfoSizes[] = {sizeof(seglog_topic_subscription_info)};

// db not NULL, and holding a Topics (a handle seglog_open made always does; one a test
// assembled from the engine's rooms may not).
Status NeedTopics(const seglog_handle* db);

// A topic name's pointer and length (1 .. SEGLOG_TOPIC_NAME_MAX bytes); the engine checks its
// characters.
Status CheckTopicName(const char* name, const char* what);

// The arguments every paged list shares: out (the caller's array) and n and next_token_out not
// NULL, max_results 1 .. SEGLOG_TOPIC_LIST_MAX_RESULTS, cap >= max_results, next_token_cap >=
// SEGLOG_TOPIC_LIST_TOKEN_MAX.
Status ListPageArgs(uint32_t max_results, size_t cap, size_t* n, const void* out,
                    const char* next_token_out, size_t next_token_cap);
// Copies a page token (with its NUL) into the caller's buffer of SEGLOG_TOPIC_LIST_TOKEN_MAX.
Status CopyToken(const std::string& token, char* out);
// Text into a caller's buffer of `cap` bytes (buf may be NULL when cap is 0): all of it and a
// NUL when it fits, else "" (when cap > 0); the caller reports text.size() separately.
Status CopyText(const std::string& text, char* buf, size_t cap);

}  // namespace seglog::capi
