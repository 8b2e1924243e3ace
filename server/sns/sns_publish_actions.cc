// SNS Publish and PublishBatch. A message goes into the topic's log (Topics::Publish); the
// fan-out delivers it to the subscriptions afterwards. SMS (PhoneNumber) and platform endpoints
// (a TargetArn that is not a topic's) are refused with SNS's InvalidParameter.
#include "engine/queues/batch_entry.h"
#include "server/sns/sns_internal.h"

namespace seglog::server::sns {
namespace {

using nlohmann::json;

// One entry to publish, owning its bytes. View() points into it: it must not move afterwards.
struct OwnedPublish {
  std::string message, subject, group, dedup;
  bool json_structure = false;
  std::vector<OwnedAttribute> attrs;
  std::vector<format::MessageAttribute> views;

  PublishEntry View() {
    views = Views(attrs);
    PublishEntry e;
    e.message = message;
    e.subject = subject;
    e.attributes = views;
    e.json_structure = json_structure;
    e.group_id = group;
    e.dedup_id = dedup;
    return e;
  }
};

void ParseEntry(const json& in, OwnedPublish* e) {
  const auto m = OptionalString(in, "Message");
  if (!m || m->empty()) FailParam("Empty message");
  e->message = *m;
  e->subject = OptionalString(in, "Subject").value_or("");
  const auto structure = OptionalString(in, "MessageStructure");
  if (structure) {
    if (*structure != "json") FailParam("MessageStructure");
    e->json_structure = true;
  }
  e->group = OptionalString(in, "MessageGroupId").value_or("");
  e->dedup = OptionalString(in, "MessageDeduplicationId").value_or("");
  e->attrs = ParseAttributes(in);
}

// The topic a Publish addresses: TopicArn or TargetArn (a topic's), one of them.
std::string PublishTopic(const ActionEnv& env, const json& in) {
  const auto topic = OptionalString(in, "TopicArn");
  const auto target = OptionalString(in, "TargetArn");
  const auto phone = OptionalString(in, "PhoneNumber");
  if (phone && !phone->empty()) {
    FailParam("PhoneNumber Reason: seglog does not deliver SMS");
  }
  const bool has_topic = topic && !topic->empty(), has_target = target && !target->empty();
  if (has_topic == has_target) {
    FailParam(has_topic ? "TopicArn or TargetArn Reason: both specified"
                        : "TopicArn or TargetArn Reason: no value for required parameter");
  }
  return has_topic ? TopicOfArn(env.ctx, *topic, "TopicArn")
                   : TopicOfArn(env.ctx, *target, "TargetArn");
}

json Publish(const ActionEnv& env, const json& in) {
  const std::string topic = PublishTopic(env, in);
  OwnedPublish owned;
  ParseEntry(in, &owned);
  const PublishEntry e = owned.View();
  PublishResult r;
  Check(env.topics->Publish(topic, e, &r), kNoTopic);
  json out{{"MessageId", r.message_id}};
  if (!r.sequence_number.empty()) out["SequenceNumber"] = r.sequence_number;
  return out;
}

// A batch-level engine error "Code: message" as SNS's exception shape.
[[noreturn]] void FailBatch(const Status& s) {
  const std::string& m = s.message();
  const size_t colon = m.find(':');
  if (s.code() == StatusCode::kInvalidArgument && colon != std::string::npos) {
    const std::string code = m.substr(0, colon);
    for (const char* known : {"EmptyBatchRequest", "TooManyEntriesInBatchRequest",
                              "InvalidBatchEntryId", "BatchEntryIdsNotDistinct",
                              "BatchRequestTooLong"}) {
      if (code == known) {
        Fail(code + "Exception",
             m.substr(colon + (colon + 1 < m.size() && m[colon + 1] == ' ' ? 2 : 1)));
      }
    }
  }
  Check(s, kNoTopic);
  throw std::logic_error("FailBatch with OK");
}

json PublishBatch(const ActionEnv& env, const json& in) {
  const std::string topic = TopicOfArn(env.ctx, RequiredString(in, "TopicArn"), "TopicArn");
  const auto list = in.find("PublishBatchRequestEntries");
  if (list == in.end() || !list->is_array()) FailParam("PublishBatchRequestEntries");
  // Every entry's id (the batch-level checks come first, as SNS's).
  std::vector<std::string> ids;
  for (const json& entry : *list) {
    ids.push_back(entry.is_object() ? OptionalString(entry, "Id").value_or("") : "");
  }
  std::vector<std::string_view> id_views(ids.begin(), ids.end());
  if (Status s = ValidateBatchEntryIds(id_views); !s.ok()) FailBatch(s);
  // Entries that do not parse fail on their own; the rest go to the engine together.
  std::vector<OwnedPublish> owned(list->size());
  std::vector<size_t> index;  // engine position -> entry position
  json failed = json::array();
  for (size_t i = 0; i < list->size(); ++i) {
    try {
      if (!(*list)[i].is_object()) FailParam("PublishBatchRequestEntries");
      ParseEntry((*list)[i], &owned[i]);
      index.push_back(i);
    } catch (const SnsError& e) {
      failed.push_back(json{{"Id", ids[i]},
                            {"Code", CodeOf(e.error().code)},
                            {"Message", e.error().message},
                            {"SenderFault", e.error().sender_fault}});
    }
  }
  std::vector<PublishEntry> entries;
  std::vector<std::string_view> entry_ids;
  for (const size_t i : index) {
    entries.push_back(owned[i].View());
    entry_ids.push_back(ids[i]);
  }
  json ok = json::array();
  if (!entries.empty()) {
    std::vector<PublishResult> results;
    std::vector<BatchEntryOutcome> outcomes;
    const Status s = env.topics->PublishBatch(topic, entry_ids, entries, &results, &outcomes);
    if (!s.ok()) FailBatch(s);
    for (size_t k = 0; k < index.size(); ++k) {
      const std::string& id = ids[index[k]];
      if (k < outcomes.size() && !outcomes[k].ok()) {
        const ServiceError err = ErrorOf(outcomes[k].status, kNoTopic);
        failed.push_back(json{
            {"Id", id},
            {"Code", outcomes[k].code.empty() ? CodeOf(err.code) : outcomes[k].code},
            {"Message", err.message},
            {"SenderFault", outcomes[k].sender_fault}});
        continue;
      }
      json r{{"Id", id}, {"MessageId", results.at(k).message_id}};
      if (!results[k].sequence_number.empty()) r["SequenceNumber"] = results[k].sequence_number;
      ok.push_back(std::move(r));
    }
  }
  return json{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
}

}  // namespace

Action FindPublishAction(std::string_view name) {
  if (name == "Publish") return Publish;
  if (name == "PublishBatch") return PublishBatch;
  return nullptr;
}

}  // namespace seglog::server::sns
