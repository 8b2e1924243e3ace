#include "tests/support/engine_fixture.h"

#include <gtest/gtest.h>

namespace seglog::testing {

Status OpenEngine(const std::string& dir, const StoreOptions& so, std::unique_ptr<Store>* store,
                  std::unique_ptr<Streams>* streams, std::unique_ptr<Queues>* queues) {
  SEGLOG_RETURN_IF_ERROR(Store::Open(dir, so, store));
  if (streams != nullptr) {
    StreamsOptions sto;
    sto.retention_check_interval_ms = 0;
    *streams = std::make_unique<Streams>(store->get(), sto);
  }
  if (queues != nullptr) {
    QueuesOptions qo;
    qo.maintenance_interval_ms = 0;
    *queues = std::make_unique<Queues>(store->get(), qo);
  }
  return Status::OK();
}

void CloseEngine(std::unique_ptr<Store>* store, std::unique_ptr<Streams>* streams,
                 std::unique_ptr<Queues>* queues) {
  if (queues != nullptr) queues->reset();
  if (streams != nullptr) streams->reset();
  if (*store) {
    const Status s = (*store)->Close();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  store->reset();
}

}  // namespace seglog::testing
