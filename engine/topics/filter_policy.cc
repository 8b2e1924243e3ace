// FilterPolicy (engine/topics/filter_policy.h): the compiled policy. Compilation lives in
// filter_compile.cc, evaluation in filter_match.cc, subjects in filter_subject.cc.
#include "engine/topics/filter_policy.h"

#include "engine/topics/filter_internal.h"

namespace seglog {
namespace {

// Immutable after Compile: Matches is const and allocation-free; any thread.
class CompiledPolicy final : public FilterPolicy {
 public:
  CompiledPolicy(FilterScope scope, std::unique_ptr<filter::Node> root, size_t combinations)
      : scope_(scope), root_(std::move(root)), combinations_(combinations) {}

  FilterScope scope() const override { return scope_; }
  size_t combinations() const override { return combinations_; }
  bool Matches(const FilterSubject& subject) const override {
    if (!subject.valid() || subject.impl().scope != scope_) return false;
    return filter::MatchNode(*root_, subject.impl());
  }

 private:
  FilterScope scope_;
  std::unique_ptr<filter::Node> root_;
  size_t combinations_;
};

}  // namespace

Status FilterPolicy::Compile(std::string_view policy, FilterScope scope,
                             std::unique_ptr<const FilterPolicy>* out) {
  std::unique_ptr<filter::Node> root;
  size_t combinations = 0;
  if (Status s = filter::CompilePolicy(policy, scope, &root, &combinations); !s.ok()) return s;
  *out = std::make_unique<CompiledPolicy>(scope, std::move(root), combinations);
  return Status::OK();
}

}  // namespace seglog
