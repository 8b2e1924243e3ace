// WriterFirstLock: a reader-writer lock that lets a waiting writer in ahead of new readers, so
// that deleting a stream or a queue never starves behind steady traffic (std::shared_mutex on
// glibc prefers readers: one writer can wait forever). Not recursive: no operation of the
// streams or queues rooms takes it twice. Meets SharedMutex, so std::shared_lock and
// std::unique_lock work on it.
#pragma once

#include <pthread.h>

namespace seglog {

class WriterFirstLock {
 public:
  WriterFirstLock() {
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&l_, &a);
    pthread_rwlockattr_destroy(&a);
  }
  ~WriterFirstLock() { pthread_rwlock_destroy(&l_); }
  WriterFirstLock(const WriterFirstLock&) = delete;
  WriterFirstLock& operator=(const WriterFirstLock&) = delete;

  void lock() { pthread_rwlock_wrlock(&l_); }
  bool try_lock() { return pthread_rwlock_trywrlock(&l_) == 0; }
  void unlock() { pthread_rwlock_unlock(&l_); }
  void lock_shared() { pthread_rwlock_rdlock(&l_); }
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&l_) == 0; }
  void unlock_shared() { pthread_rwlock_unlock(&l_); }

 private:
  pthread_rwlock_t l_;
};

}  // namespace seglog
