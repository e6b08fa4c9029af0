#include <stdexcept>
#include <string>

#include "results/json_fields.h"
#include "results/report.h"

namespace r1eval::results {
namespace {

nlohmann::json estimate_to_json(const Estimate& e) {
  return {{"value", e.value}, {"stderr", e.stderr_}, {"ci_low", e.ci_low}, {"ci_high", e.ci_high}};
}

Estimate estimate_from_json(const nlohmann::json& j, const std::string& context) {
  detail::require_object(j, context);
  Estimate e;
  e.value = detail::number_field(j, "value", context);
  e.stderr_ = detail::number_field(j, "stderr", context);
  e.ci_low = detail::number_field(j, "ci_low", context);
  e.ci_high = detail::number_field(j, "ci_high", context);
  return e;
}

// JSON object keys are strings; k is written in decimal and must come back as a positive integer.
int k_from_key(const std::string& key, const std::string& context) {
  std::size_t used = 0;
  int k = 0;
  try {
    k = std::stoi(key, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != key.size() || k < 1) {
    throw std::invalid_argument(context + ": key '" + key + "' must be a positive integer k");
  }
  return k;
}

std::map<int, Estimate> by_k_from_json(const nlohmann::json& j, const std::string& context) {
  detail::require_object(j, context);
  std::map<int, Estimate> out;
  for (const auto& [key, value] : j.items()) {
    out[k_from_key(key, context)] = estimate_from_json(value, context + "." + key);
  }
  return out;
}

nlohmann::json by_k_to_json(const std::map<int, Estimate>& by_k) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, e] : by_k) j[std::to_string(k)] = estimate_to_json(e);
  return j;
}

}  // namespace

nlohmann::json scores_to_json(const std::vector<TaskScores>& scores) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const TaskScores& s : scores) {
    nlohmann::json breakdowns = nlohmann::json::object();
    for (const auto& [name, by_value] : s.breakdowns) {
      nlohmann::json values = nlohmann::json::object();
      for (const auto& [value, g] : by_value) {
        values[value] = {{"problems", g.problems}, {"pass1", estimate_to_json(g.pass1)}};
      }
      breakdowns[name] = std::move(values);
    }
    tasks.push_back({
        {"task", s.task},
        {"problems", s.problems},
        {"task_problems", s.task_problems},
        {"min_samples", s.min_samples},
        {"max_samples", s.max_samples},
        {"pass1", estimate_to_json(s.pass1)},
        {"pass_at", by_k_to_json(s.pass_at)},
        {"cons_at", by_k_to_json(s.cons_at)},
        {"length", {{"mean", s.length.mean}, {"median", s.length.median}, {"unit", s.length.unit}}},
        {"breakdowns", std::move(breakdowns)},
    });
    if (!s.excluded.empty()) tasks.back()["excluded"] = s.excluded;
    if (s.rating) {
      nlohmann::json r = {{"rating", s.rating->rating},
                          {"standard_error", s.rating->standard_error},
                          {"prior_used", s.rating->prior_used},
                          {"rated_problems", s.rating->rated_problems}};
      if (s.rating->problems > 0) r["problems"] = s.rating->problems;
      if (s.rating->percentile) r["percentile"] = *s.rating->percentile;
      tasks.back()["rating"] = std::move(r);
    }
    if (s.contest_rating) {
      nlohmann::json contests = nlohmann::json::array();
      for (const ModelContestResult& c : s.contest_rating->contests)
        contests.push_back({{"contest_id", c.contest_id}, {"score", c.score}, {"penalty", c.penalty},
                            {"solved", c.solved}, {"problems", c.problems},
                            {"problems_with_samples", c.problems_with_samples}, {"rank", c.rank},
                            {"rating", c.rating}});
      nlohmann::json r = {{"rating", s.contest_rating->rating}, {"contests", std::move(contests)}};
      if (s.contest_rating->percentile) r["percentile"] = *s.contest_rating->percentile;
      tasks.back()["contest_rating"] = std::move(r);
    }
  }
  return {{"tasks", std::move(tasks)}};
}

std::vector<TaskScores> scores_from_json(const nlohmann::json& j) {
  detail::require_object(j, "scores");
  const nlohmann::json& tasks = detail::require_field(j, "tasks", "scores");
  if (!tasks.is_array()) {
    throw std::invalid_argument(std::string("scores: field 'tasks' must be an array, got ") + tasks.type_name());
  }
  std::vector<TaskScores> out;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    std::string ctx = "scores tasks[" + std::to_string(i) + "]";
    const nlohmann::json& t = tasks[i];
    detail::require_object(t, ctx);
    TaskScores s;
    s.task = detail::string_field(t, "task", ctx);
    ctx = "scores task '" + s.task + "'";
    s.problems = detail::int_field(t, "problems", ctx);
    if (const auto* total = detail::find_field(t, "task_problems"); total != nullptr && !total->is_null())
      s.task_problems = detail::as_int(*total, "task_problems", ctx);  // absent in files of older versions
    s.min_samples = detail::int_field(t, "min_samples", ctx);
    s.max_samples = detail::int_field(t, "max_samples", ctx);
    s.pass1 = estimate_from_json(detail::require_field(t, "pass1", ctx), ctx + " pass1");
    s.pass_at = by_k_from_json(detail::require_field(t, "pass_at", ctx), ctx + " pass_at");
    s.cons_at = by_k_from_json(detail::require_field(t, "cons_at", ctx), ctx + " cons_at");
    const nlohmann::json& length = detail::require_field(t, "length", ctx);
    detail::require_object(length, ctx + " length");
    s.length.mean = detail::number_field(length, "mean", ctx + " length");
    s.length.median =
        detail::number_field(length, "median", ctx + " length");
    if (auto unit = length.find("unit"); unit != length.end() && unit->is_string()) s.length.unit = unit->get<std::string>();
    const nlohmann::json& breakdowns = detail::require_field(t, "breakdowns", ctx);
    detail::require_object(breakdowns, ctx + " breakdowns");
    for (const auto& [name, by_value] : breakdowns.items()) {
      const std::string bctx = ctx + " breakdowns." + name;
      detail::require_object(by_value, bctx);
      for (const auto& [value, g] : by_value.items()) {
        const std::string gctx = bctx + "." + value;
        detail::require_object(g, gctx);
        GroupScores& group = s.breakdowns[name][value];
        group.problems = detail::int_field(g, "problems", gctx);
        group.pass1 = estimate_from_json(detail::require_field(g, "pass1", gctx), gctx + " pass1");
      }
    }
    if (auto excluded = t.find("excluded"); excluded != t.end() && !excluded->is_null()) {
      if (!excluded->is_array()) throw std::invalid_argument(ctx + ": field 'excluded' must be an array of strings");
      for (const auto& e : *excluded) s.excluded.push_back(detail::as_string(e, "excluded", ctx));
    }
    if (auto r = t.find("rating"); r != t.end() && !r->is_null()) {
      const std::string rctx = ctx + " rating";
      detail::require_object(*r, rctx);
      RatingSummary summary;
      summary.rating = detail::number_field(*r, "rating", rctx);
      summary.standard_error =
          detail::number_field(*r, "standard_error", rctx);
      summary.rated_problems = detail::int_field(*r, "rated_problems", rctx);
      if (auto prior = r->find("prior_used"); prior != r->end() && prior->is_boolean()) summary.prior_used = prior->get<bool>();
      if (auto pct = r->find("percentile"); pct != r->end() && !pct->is_null())
        summary.percentile = detail::as_number(*pct, "percentile", rctx);
      if (auto total = r->find("problems"); total != r->end() && !total->is_null())
        summary.problems = detail::as_int(*total, "problems", rctx);
      s.rating = summary;
    }
    if (auto r = t.find("contest_rating"); r != t.end() && !r->is_null()) {
      const std::string rctx = ctx + " contest_rating";
      detail::require_object(*r, rctx);
      ContestRatingSummary summary;
      summary.rating = detail::number_field(*r, "rating", rctx);
      if (auto pct = r->find("percentile"); pct != r->end() && !pct->is_null())
        summary.percentile = detail::as_number(*pct, "percentile", rctx);
      const nlohmann::json& contests = detail::require_field(*r, "contests", rctx);
      if (!contests.is_array()) throw std::invalid_argument(rctx + ": field 'contests' must be an array");
      for (const nlohmann::json& c : contests) {
        const std::string cctx = rctx + " contest";
        detail::require_object(c, cctx);
        ModelContestResult one;
        one.contest_id = detail::string_field(c, "contest_id", cctx);
        one.score = detail::number_field(c, "score", cctx);
        one.penalty = detail::number_field(c, "penalty", cctx);
        one.solved = detail::int_field(c, "solved", cctx);
        one.problems = detail::int_field(c, "problems", cctx);
        one.problems_with_samples = detail::int_field(c, "problems_with_samples", cctx);
        one.rank = detail::number_field(c, "rank", cctx);
        one.rating = detail::number_field(c, "rating", cctx);
        summary.contests.push_back(std::move(one));
      }
      s.contest_rating = std::move(summary);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace r1eval::results
