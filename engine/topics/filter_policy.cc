// FilterPolicy / FilterSubject (engine/topics/filter_policy.h): first link-only cut.
#include "engine/topics/filter_policy.h"

namespace seglog {

struct FilterSubject::Impl {
  bool valid = false;
};

FilterSubject::FilterSubject() : impl_(std::make_unique<Impl>()) {}
FilterSubject::~FilterSubject() = default;
FilterSubject::FilterSubject(FilterSubject&&) noexcept = default;
FilterSubject& FilterSubject::operator=(FilterSubject&&) noexcept = default;
FilterSubject FilterSubject::OfAttributes(std::span<const format::MessageAttribute>) {
  return FilterSubject();
}
FilterSubject FilterSubject::OfBody(std::string_view) { return FilterSubject(); }
bool FilterSubject::valid() const { return impl_ && impl_->valid; }

Status FilterPolicy::Compile(std::string_view, FilterScope, std::unique_ptr<const FilterPolicy>*) {
  return Status::NotSupported("filter policies: not implemented yet");
}

}  // namespace seglog
