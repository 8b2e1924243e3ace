// Topics: subscription cursor files (format/topic_format.h) and their recovery (SPEC.md Part
// VII, "Cursors"): the newest valid slot, then for a queue subscription the newest delivery
// tagged with its key in its queue from the slot's queue id on, clamped to the topic's log.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/topics/topics_internal.h"

namespace seglog {

namespace {

std::string CursorPath(const std::string& dir, uint64_t key) {
  return dir + "/" + format::CursorFileName(key);
}

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

}  // namespace

Status Topics::Impl::StartCursor(TopicState& t, TopicSub& s) {
  const format::SubscriptionEntry& e = s.settings->entry;
  SEGLOG_RETURN_IF_ERROR(t.log->EnsureDirectory());
  if (e.protocol == format::SubscriptionProtocolCode::kSqs) {
    SeqNo next;
    SEGLOG_RETURN_IF_ERROR(queues->NextMessageId(e.endpoint, &next));
    s.queue_next_id = next.value();
  }
  s.cursor = t.log->next_seq().value();
  const std::string path = CursorPath(t.dir, e.key);
  {
    std::lock_guard<std::mutex> l(s.io_mu);
    s.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s.fd < 0) return Errno(path);
    s.generation = 0;
  }
  SEGLOG_RETURN_IF_ERROR(WriteCursor(s, /*sync=*/true));
  return store->file_system()->SyncDir(t.dir);
}

Status Topics::Impl::RecoverCursor(TopicState& t, TopicSub& s) {
  const format::SubscriptionEntry& e = s.settings->entry;
  SEGLOG_RETURN_IF_ERROR(t.log->EnsureDirectory());
  const std::string path = CursorPath(t.dir, e.key);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(path);
  char buf[format::kCursorFileBytes];
  const ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
  if (n < 0) {
    const Status st = Errno(path);
    ::close(fd);
    return st;
  }
  const std::optional<format::CursorSlot> slot =
      format::DecodeCursorFile(std::string_view(buf, static_cast<size_t>(n)), e.key);
  const uint64_t first = t.log->first_seq().value();
  const uint64_t next = t.log->next_seq().value();
  // No valid slot (a damaged file): from the oldest retained message, the queue's tags (read
  // whole) keeping deliveries from repeating.
  uint64_t cursor = slot ? slot->next_seq : first;
  uint64_t qnext = slot ? slot->queue_next_id : 0;
  if (e.protocol == format::SubscriptionProtocolCode::kSqs) {
    SeqNo end;
    std::optional<SeqNo> last;
    Status st = queues->LastDelivery(e.endpoint, e.key, SeqNo(qnext), &end, &last);
    if (st.ok()) {
      if (last && last->value() + 1 > cursor) cursor = last->value() + 1;
      qnext = end.value();
    } else if (st.code() != StatusCode::kNotFound) {
      ::close(fd);
      return st.WithContext("recovering subscription " + e.id);
    }
  }
  // The topic's log lost its tail (power loss under durability none or interval): nothing
  // past its end was published as far as anyone can tell now.
  cursor = std::min(cursor, next);
  if (cursor < first) {
    s.expired += first - cursor;
    cursor = first;
  }
  s.cursor = cursor;
  s.queue_next_id = qnext;
  {
    std::lock_guard<std::mutex> l(s.io_mu);
    s.fd = fd;
    s.generation = slot ? slot->generation : 0;
  }
  return WriteCursor(s, /*sync=*/true);
}

Status Topics::Impl::WriteCursor(TopicSub& s, bool sync) {
  std::lock_guard<std::mutex> l(s.io_mu);
  if (s.fd < 0) return Status::OK();
  uint64_t cursor = 0;
  format::CursorSlot slot;
  {
    std::lock_guard<std::mutex> ml(mu);
    cursor = s.cursor;
    slot = {s.key, s.generation + 1, cursor, s.queue_next_id};
  }
  const std::string bytes = format::EncodeCursorSlot(slot);
  const off_t off = static_cast<off_t>(format::CursorSlotOffset(slot.generation));
  if (::pwrite(s.fd, bytes.data(), bytes.size(), off) != static_cast<ssize_t>(bytes.size())) {
    return Errno("writing a cursor of subscription " + s.id);
  }
  s.generation = slot.generation;
  s.unsynced = true;
  const auto now = std::chrono::steady_clock::now();
  if (sync || now - s.last_sync >= std::chrono::seconds(1)) {
    if (::fdatasync(s.fd) != 0) return Errno("syncing a cursor of " + s.id);
    s.last_sync = now;
    s.unsynced = false;
    std::lock_guard<std::mutex> ml(mu);
    s.synced_cursor = cursor;
  }
  return Status::OK();
}

void Topics::Impl::CloseCursor(TopicSub& s, bool remove, const std::string& dir) {
  std::lock_guard<std::mutex> l(s.io_mu);
  if (s.fd >= 0) ::close(s.fd);
  s.fd = -1;
  if (remove) ::unlink(CursorPath(dir, s.key).c_str());
}

}  // namespace seglog
