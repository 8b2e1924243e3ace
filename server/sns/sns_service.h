// The SNS adapter: every SNS action the engine's Topics support, over JSON-protocol-shaped
// input and output (server/service.h) that the Query codec (SnsModel) fills and renders.
// Topic ARNs are arn:aws:sns:REGION:ACCOUNT:NAME, subscription ARNs ...:NAME:ID (ID the
// engine's UUID); an SQS subscription's Endpoint is arn:aws:sqs:REGION:ACCOUNT:QUEUE, a queue
// of the same store. Errors are SNS's (the model's exception shapes: NotFound, InvalidParameter,
// ParameterValueInvalid, AuthorizationError, ...); SPEC.md Part VII lists what differs.
//
// Lifetime: Queues and Topics outlive it; seglogd hands the Topics over with SetTopics once
// its listeners' URLs are known (until then every call answers 503 ServiceUnavailable) and
// destroys Topics only after the transport stopped. Concurrency: Call from any worker; every
// action is synchronous. Durability: none here (Topics::Publish returns once the message is
// in the topic's log, as durable as SnsServiceOptions::durability says).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/queues/queue.h"
#include "engine/topics/topics.h"
#include "server/service.h"

namespace seglog::server {

struct SnsServiceOptions {
  Limits limits = Limits::kAws;                 // topics created through the API
  Durability durability = Durability::kAlways;  // seglogd --durability
};

class SnsService : public Service {
 public:
  explicit SnsService(Queues* queues, SnsServiceOptions opt = {});
  ~SnsService() override;
  // Serves `topics` from now on (nullptr: 503 again).
  void SetTopics(Topics* topics);
  void Call(ServiceCall call, ServiceDone done) override;
  size_t MaxRequestBytes(std::string_view action) const override;
  // The envelopes' signing certificate (PEM); false before SetTopics or on an engine error.
  bool SigningCertificate(std::string* pem) const;

 private:
  Queues* queues_;
  SnsServiceOptions opt_;
  std::atomic<Topics*> topics_{nullptr};
};

}  // namespace seglog::server
