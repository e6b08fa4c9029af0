#include "harness/rating_histogram.h"

#include <stdexcept>
#include <string>

namespace r1eval::harness {

std::optional<results::RatingHistogram> load_rating_histogram(const tasks::DataLocator& locator) {
  tasks::DataSpec spec;
  tasks::DataFile file_spec;
  file_spec.local_path = "codeforces/deepcoder/ratings_2024.json";
  spec.files.push_back(file_spec);
  tasks::DataLocator::Resolved file;
  try {
    file = locator.read(spec);
  } catch (const tasks::DataError&) {
    return std::nullopt;  // no histogram: ratings are reported without a percentile
  }
  try {
    return results::RatingHistogram::from_json(file.content);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(file.display_name + ": " + e.what());
  }
}

}  // namespace r1eval::harness
