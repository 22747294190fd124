#include "operators/policy/expr/expression_context.h"

#include <utility>

#include "operators/policy/expr/internal/expression_lexer.h"

namespace riskstream {
namespace {

Status CheckName(std::string_view what, std::string_view name, bool taken) {
  if (!expression_internal::IsName(name)) {
    return Status::InvalidConfig(std::string(what) + " name '" + std::string(name) +
                                 "' is not usable in expressions: expected a letter or '_', then "
                                 "letters, digits, '_' or '.', and not a keyword");
  }
  if (taken) {
    return Status::InvalidConfig(std::string(what) + " '" + std::string(name) +
                                 "' is defined twice");
  }
  return Status::Ok();
}

}  // namespace

Status ExpressionContext::AddVariable(std::string name, int slot) {
  if (Status status = CheckName("variable", name, variables_.contains(name)); !status.ok()) {
    return status;
  }
  if (slot < 0) {
    return Status::InvalidConfig("variable '" + name + "' has negative slot " +
                                 std::to_string(slot));
  }
  variables_.emplace(std::move(name), slot);
  return Status::Ok();
}

Status ExpressionContext::AddList(std::string name, StringList items) {
  return AddList(std::move(name), std::make_shared<const StringList>(std::move(items)));
}

Status ExpressionContext::AddList(std::string name, std::shared_ptr<const StringList> items) {
  if (Status status = CheckName("list", name, lists_.contains(name)); !status.ok()) {
    return status;
  }
  if (items == nullptr) return Status::InvalidConfig("list '" + name + "' is null");
  lists_.emplace(std::move(name), std::move(items));
  return Status::Ok();
}

std::optional<int> ExpressionContext::FindVariable(std::string_view name) const {
  auto it = variables_.find(name);
  if (it == variables_.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const StringList> ExpressionContext::FindList(std::string_view name) const {
  auto it = lists_.find(name);
  return it == lists_.end() ? nullptr : it->second;
}

}  // namespace riskstream
