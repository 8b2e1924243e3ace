// The SQS adapter: every SQS action the engine's Queues support, over JSON-protocol-shaped
// input and output (server/service.h), the same for AWS JSON 1.0 and the Query protocol.
// Queue URLs are scheme://HOST/ACCOUNT/NAME (RequestContext), ARNs
// arn:aws:sqs:REGION:ACCOUNT:NAME; a QueueUrl may be a URL, a path (/ACCOUNT/NAME) or a name.
// ReceiveMessage with WaitTimeSeconds > 0 holds no thread: it waits as an engine wake
// registration (Queues::TryReceive) plus an Executor timer.
//
// Lifetime: Queues and Executor outlive it; Shutdown() ends every long poll (answered empty)
// before the Executor stops. Concurrency: Call from any worker.
#pragma once

#include <memory>
#include <string>

#include "engine/queues/queue.h"
#include "server/executor.h"
#include "server/service.h"

namespace seglog::server {

struct SqsServiceOptions {
  // The limits profile of queues created through the API (Limits::kAws: SQS's).
  Limits limits = Limits::kAws;
  // The durability of queues created through the API (seglogd --durability; SPEC 13.x):
  // kAlways acknowledges a send only once it is fdatasync'd.
  Durability durability = Durability::kAlways;
};

class SqsService : public Service {
 public:
  SqsService(Queues* queues, Executor* executor, SqsServiceOptions opt = {});
  ~SqsService() override;
  void Call(ServiceCall call, ServiceDone done) override;
  size_t MaxRequestBytes(std::string_view action) const override;
  // Answers every waiting long poll now (empty) and every later one at once.
  void Shutdown();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace seglog::server
