// The human rating histogram that turns a Codeforces rating into a percentile (DeepCoder's ratings_2024.json,
// `codeforces/deepcoder/ratings_2024.json` in a data dir).
#pragma once
#include <optional>

#include "results/rating.h"
#include "tasks/data_source.h"

namespace r1eval::harness {

// nullopt when no data dir holds the file; throws std::invalid_argument when the file is malformed.
std::optional<results::RatingHistogram> load_rating_histogram(const tasks::DataLocator& locator);

}  // namespace r1eval::harness
