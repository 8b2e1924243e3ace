// The SQS actions on messages, except ReceiveMessage (sqs_receive.cc, sqs_service.cc):
// SendMessage, SendMessageBatch, DeleteMessage(Batch), ChangeMessageVisibility(Batch).
#include <deque>

#include "engine/queues/message_shape.h"
#include "server/sqs/sqs_internal.h"

namespace seglog::server::sqs {

using nlohmann::json;

namespace {

ByteView Bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool IsFifoName(const std::string& queue) {
  return queue.size() >= 5 && queue.compare(queue.size() - 5, 5, ".fifo") == 0;
}

// One message to send, owning its bytes. View() hands out a SendEntry pointing into it: the
// object must not move afterwards.
struct OwnedEntry {
  struct Attr {
    std::string name, label, value;
    format::AttributeType type = format::AttributeType::kString;
  };
  std::string body, group, dedup, trace, sender;
  int32_t delay_s = -1;
  std::vector<Attr> attrs;
  std::vector<format::MessageAttribute> views;

  SendEntry View() {
    views.clear();
    for (const Attr& a : attrs) views.push_back({a.name, a.type, Bytes(a.value), a.label});
    SendEntry e;
    e.body = Bytes(body);
    e.attributes = views;
    e.delay_s = delay_s;
    e.group_id = group;
    e.dedup_id = dedup;
    e.sender_id = sender;
    e.trace_header = trace;
    return e;
  }
};

OwnedEntry::Attr ParseAttribute(const std::string& name, const json& v) {
  const std::string what = "message attribute '" + Clip(name) + "'";
  if (!v.is_object()) FailValue("The " + what + " must be a structure.");
  OwnedEntry::Attr a;
  a.name = name;
  auto dt = OptionalString(v, "DataType");
  if (!dt || dt->empty()) {
    FailValue("The " + what + " must contain non-empty message attribute type.");
  }
  std::string_view label;
  Check(ParseDataType(*dt, what, &a.type, &label));
  a.label = std::string(label);
  if (a.type == format::AttributeType::kBinary) {
    auto b = OptionalString(v, "BinaryValue");
    if (!b || !Base64Decode(*b, &a.value) || a.value.empty()) {
      FailValue("The " + what + " must contain a non-empty base64 BinaryValue for its type " +
                Clip(*dt) + ".");
    }
  } else {
    auto s = OptionalString(v, "StringValue");
    if (!s || s->empty()) {
      FailValue("The " + what + " must contain non-empty message attribute value for message "
                "attribute type '" + Clip(*dt) + "'.");
    }
    a.value = std::move(*s);
  }
  return a;
}

void ParseEntry(const ActionEnv& env, const json& in, OwnedEntry* e) {
  e->body = RequiredString(in, "MessageBody");
  if (e->body.empty()) {
    Fail("MissingParameter", "The request must contain the parameter MessageBody.");
  }
  e->delay_s = static_cast<int32_t>(OptionalInt(in, "DelaySeconds", 0, kQueueMaxDelayS).value_or(-1));
  e->group = OptionalString(in, "MessageGroupId").value_or("");
  e->dedup = OptionalString(in, "MessageDeduplicationId").value_or("");
  e->sender = env.ctx.access_key;
  const json& attrs = OptionalObject(in, "MessageAttributes");
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    e->attrs.push_back(ParseAttribute(it.key(), *it));
  }
  const json& sys = OptionalObject(in, "MessageSystemAttributes");
  for (auto it = sys.begin(); it != sys.end(); ++it) {
    if (it.key() != "AWSTraceHeader") {
      FailValue("Message system attribute name '" + Clip(it.key()) + "' is invalid.");
    }
    OwnedEntry::Attr a = ParseAttribute(it.key(), *it);
    if (a.type != format::AttributeType::kString || !a.label.empty()) {
      FailValue("The message system attribute AWSTraceHeader must be of type String.");
    }
    e->trace = std::move(a.value);
  }
}

void PutSendResult(const SendResult& r, json* out) {
  (*out)["MessageId"] = r.message_id;
  (*out)["MD5OfMessageBody"] = r.md5_of_body;
  if (!r.md5_of_attributes.empty()) (*out)["MD5OfMessageAttributes"] = r.md5_of_attributes;
  if (!r.md5_of_system_attributes.empty()) {
    (*out)["MD5OfMessageSystemAttributes"] = r.md5_of_system_attributes;
  }
  if (!r.sequence_number.empty()) (*out)["SequenceNumber"] = r.sequence_number;
}

json SendMessage(const ActionEnv& env, const json& in) {
  const std::string queue = QueueNameIn(in, env.ctx);
  OwnedEntry owned;
  ParseEntry(env, in, &owned);
  const SendEntry e = owned.View();
  SendResult r;
  Status s = env.queues->Send(queue, e, &r, Report::kSqs);
  if (!s.ok()) {
    ServiceError err = ErrorOf(s);
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kTooLarge) {
      err.code = SendEntryErrorCode(e, IsFifoName(queue), s);
    }
    throw SqsError(err);
  }
  json out = json::object();
  PutSendResult(r, &out);
  return out;
}

json Failure(const std::string& id, const std::string& code, bool sender_fault,
             const std::string& message) {
  return json{{"Id", id}, {"SenderFault", sender_fault}, {"Code", code}, {"Message", message}};
}

json FailureOf(const std::string& id, const BatchEntryOutcome& o) {
  return Failure(id, o.code, o.sender_fault, ErrorOf(o.status).message);
}

// The entries' ids, all of them strings (the batch-level checks come from the engine).
std::vector<std::string> EntryIds(const json& entries) {
  std::vector<std::string> ids;
  for (const json& e : entries) {
    if (!e.is_object()) FailValue("Each entry of Entries must be a structure.");
    ids.push_back(RequiredString(e, "Id"));
  }
  return ids;
}

void CheckIds(const std::vector<std::string>& ids) {
  std::vector<std::string_view> views(ids.begin(), ids.end());
  Check(ValidateBatchEntryIds(views));
}

json SendMessageBatch(const ActionEnv& env, const json& in) {
  const std::string queue = QueueNameIn(in, env.ctx);
  const json& entries = RequiredArray(in, "Entries");
  const std::vector<std::string> ids = EntryIds(entries);
  CheckIds(ids);
  json failed = json::array();
  std::deque<OwnedEntry> owned;  // a deque: entries never move once parsed
  std::vector<std::string_view> sent_ids;
  for (size_t i = 0; i < entries.size(); ++i) {
    OwnedEntry e;
    try {
      ParseEntry(env, entries[i], &e);
    } catch (const SqsError& err) {
      failed.push_back(Failure(ids[i], err.error().code, true, err.error().message));
      continue;
    }
    owned.push_back(std::move(e));
    sent_ids.push_back(ids[i]);
  }
  json ok = json::array();
  if (!owned.empty()) {
    std::vector<SendEntry> views;
    for (OwnedEntry& e : owned) views.push_back(e.View());
    std::vector<SendResult> results;
    std::vector<BatchEntryOutcome> outcomes;
    Check(env.queues->SendBatchEntries(queue, sent_ids, views, &results, &outcomes));
    for (size_t i = 0; i < sent_ids.size(); ++i) {
      const std::string id(sent_ids[i]);
      if (!outcomes[i].ok()) {
        failed.push_back(FailureOf(id, outcomes[i]));
        continue;
      }
      json entry{{"Id", id}};
      PutSendResult(results[i], &entry);
      ok.push_back(std::move(entry));
    }
  }
  return json{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
}

// The receipts of a batch's entries, in entry order.
std::vector<std::string> Receipts(const json& entries) {
  std::vector<std::string> r;
  for (const json& e : entries) r.push_back(RequiredString(e, "ReceiptHandle"));
  return r;
}

json BatchResult(const std::vector<std::string>& ids, const std::vector<BatchEntryOutcome>& out) {
  json ok = json::array(), failed = json::array();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (out[i].ok()) {
      ok.push_back(json{{"Id", ids[i]}});
    } else {
      failed.push_back(FailureOf(ids[i], out[i]));
    }
  }
  return json{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
}

std::vector<BatchEntryOutcome> DeleteEntries(const ActionEnv& env, const std::string& queue,
                                             const std::vector<std::string>& ids,
                                             const std::vector<std::string>& receipts) {
  std::vector<std::string_view> id_views(ids.begin(), ids.end());
  std::vector<std::string_view> r_views(receipts.begin(), receipts.end());
  std::vector<BatchEntryOutcome> out;
  Check(env.queues->DeleteMessageBatch(queue, id_views, r_views, &out));
  // SQS accepts a standard queue's stale receipt (the message was received again since) and
  // answers success, deleting nothing: the message stays, to be deleted with its newer
  // receipt. The engine refuses it (SPEC 16.9); over the wire seglogd answers as SQS does.
  // A FIFO queue's stale receipt stays an error, as SQS's is.
  if (!IsFifoName(queue)) {
    for (BatchEntryOutcome& o : out) {
      if (o.status.code() == StatusCode::kStale) o = BatchEntryOutcome();
    }
  }
  return out;
}

std::vector<BatchEntryOutcome> ChangeEntries(const ActionEnv& env, const std::string& queue,
                                             const std::vector<std::string>& ids,
                                             const std::vector<std::string>& receipts,
                                             const std::vector<uint32_t>& timeouts) {
  std::vector<std::string_view> id_views(ids.begin(), ids.end());
  std::vector<std::string_view> r_views(receipts.begin(), receipts.end());
  std::vector<BatchEntryOutcome> out;
  Check(env.queues->ChangeVisibilityBatch(queue, id_views, r_views, timeouts, &out));
  return out;
}

// A single call done as a batch of one, so that its error has the batch's SQS code.
void ThrowIfFailed(const BatchEntryOutcome& o) {
  if (o.ok()) return;
  ServiceError e = ErrorOf(o.status);
  e.code = o.code;
  if (!o.sender_fault) e.http_status = 500;
  e.sender_fault = o.sender_fault;
  throw SqsError(e);
}

json DeleteMessage(const ActionEnv& env, const json& in) {
  const std::string queue = QueueNameIn(in, env.ctx);
  const std::string receipt = RequiredString(in, "ReceiptHandle");
  ThrowIfFailed(DeleteEntries(env, queue, {"0"}, {receipt}).at(0));
  return json::object();
}

json DeleteMessageBatch(const ActionEnv& env, const json& in) {
  const std::string queue = QueueNameIn(in, env.ctx);
  const json& entries = RequiredArray(in, "Entries");
  const std::vector<std::string> ids = EntryIds(entries);
  CheckIds(ids);
  return BatchResult(ids, DeleteEntries(env, queue, ids, Receipts(entries)));
}

uint32_t Timeout(const json& in) {
  auto t = OptionalInt(in, "VisibilityTimeout", 0, UINT32_MAX);
  if (!t) Fail("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
  return static_cast<uint32_t>(*t);
}

json ChangeMessageVisibility(const ActionEnv& env, const json& in) {
  const std::string queue = QueueNameIn(in, env.ctx);
  const std::string receipt = RequiredString(in, "ReceiptHandle");
  const uint32_t timeout = Timeout(in);
  ThrowIfFailed(ChangeEntries(env, queue, {"0"}, {receipt}, {timeout}).at(0));
  return json::object();
}

json ChangeMessageVisibilityBatch(const ActionEnv& env, const json& in) {
  const std::string queue = QueueNameIn(in, env.ctx);
  const json& entries = RequiredArray(in, "Entries");
  const std::vector<std::string> ids = EntryIds(entries);
  CheckIds(ids);
  std::vector<uint32_t> timeouts;
  for (const json& e : entries) timeouts.push_back(Timeout(e));
  return BatchResult(ids, ChangeEntries(env, queue, ids, Receipts(entries), timeouts));
}

}  // namespace

SyncAction FindMessageAction(std::string_view action) {
  static const std::pair<std::string_view, SyncAction> kActions[] = {
      {"SendMessage", SendMessage},
      {"SendMessageBatch", SendMessageBatch},
      {"DeleteMessage", DeleteMessage},
      {"DeleteMessageBatch", DeleteMessageBatch},
      {"ChangeMessageVisibility", ChangeMessageVisibility},
      {"ChangeMessageVisibilityBatch", ChangeMessageVisibilityBatch},
  };
  for (const auto& [n, f] : kActions) {
    if (n == action) return f;
  }
  return nullptr;
}

}  // namespace seglog::server::sqs
