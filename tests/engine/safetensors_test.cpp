#include "engine/model/safetensors.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine_test_support.h"

namespace r1eval::engine {
namespace {

using testing::safetensors_image;

// The message of the exception parsing `image` throws, checking that it is one line.
std::string parse_error(const std::string& image) {
  try {
    parse_safetensors_header(reinterpret_cast<const std::byte*>(image.data()), image.size(), "m.safetensors");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind("m.safetensors: ", 0), 0u) << message;
    return message;
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(SafetensorsHeader, ParsesTensorsAndMetadata) {
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]},)"
      R"("a":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]},"empty":{"dtype":"F16","shape":[0,5],"data_offsets":[8,8]}})";
  const std::string image = safetensors_image(header, 32);
  const SafetensorsHeader parsed =
      parse_safetensors_header(reinterpret_cast<const std::byte*>(image.data()), image.size(), "m");
  ASSERT_EQ(parsed.tensors.size(), 3u);
  EXPECT_EQ(parsed.data_start, 8 + header.size());
  EXPECT_EQ(parsed.metadata.at("format"), "pt");
  EXPECT_EQ(parsed.tensors[0].name, "a");
  EXPECT_EQ(parsed.tensors[0].dtype, DType::kBF16);
  EXPECT_EQ(parsed.tensors.back().name, "b");
  EXPECT_EQ(parsed.tensors.back().shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(parsed.tensors.back().numel(), 6u);
}

TEST(SafetensorsHeader, RejectsTruncatedFiles) {
  EXPECT_NE(parse_error(std::string(5, '\0')).find("shorter than the 8-byte header length"), std::string::npos);
  const std::string image = safetensors_image(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 16);
  // Cut inside the header: the declared length now runs past the end.
  EXPECT_NE(parse_error(image.substr(0, 20)).find("beyond the end of the file"), std::string::npos);
  // Cut inside the data: the tensor's offsets run past the data region.
  const std::string message = parse_error(image.substr(0, image.size() - 1));
  EXPECT_NE(message.find("tensor 'a'"), std::string::npos) << message;
  EXPECT_NE(message.find("beyond the data region"), std::string::npos) << message;
}

TEST(SafetensorsHeader, RejectsHugeHeaderLength) {
  std::string image(16, '\0');
  image[7] = '\x7f';
  EXPECT_NE(parse_error(image).find("header length"), std::string::npos);
}

TEST(SafetensorsHeader, RejectsOverlappingTensors) {
  const std::string message = parse_error(safetensors_image(
      R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16));
  EXPECT_NE(message.find("overlap"), std::string::npos) << message;
  EXPECT_NE(message.find("'a'"), std::string::npos) << message;
  EXPECT_NE(message.find("'b'"), std::string::npos) << message;
}

TEST(SafetensorsHeader, RejectsShapeNotMatchingBytes) {
  const std::string message =
      parse_error(safetensors_image(R"({"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}})", 8));
  EXPECT_NE(message.find("tensor 'w'"), std::string::npos) << message;
  EXPECT_NE(message.find("byte length"), std::string::npos) << message;
  // A shape whose element count overflows 64 bits.
  EXPECT_NE(parse_error(safetensors_image(
                R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", 8))
                .find("byte length"),
            std::string::npos);
}

TEST(SafetensorsHeader, RejectsMalformedEntries) {
  const auto error_for = [](const std::string& entry) {
    return parse_error(safetensors_image(R"({"t":)" + entry + "}", 16));
  };
  EXPECT_NE(error_for(R"({"dtype":"F64","shape":[2],"data_offsets":[0,16]})").find("'F64' is not one of"), std::string::npos);
  EXPECT_NE(error_for(R"({"shape":[2],"data_offsets":[0,16]})").find("dtype"), std::string::npos);
  EXPECT_NE(error_for(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,16]})").find("non-negative"), std::string::npos);
  EXPECT_NE(error_for(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,16]})").find("non-negative"), std::string::npos);
  EXPECT_NE(error_for(R"({"dtype":"F32","shape":[4],"data_offsets":[16,0]})").find("begin after end"), std::string::npos);
  EXPECT_NE(error_for(R"({"dtype":"F32","shape":[4],"data_offsets":[0]})").find("data_offsets"), std::string::npos);
  EXPECT_NE(error_for(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16],"extra":1})").find("unknown field"), std::string::npos);
  EXPECT_NE(error_for(R"([1,2])").find("expected an object"), std::string::npos);
  EXPECT_NE(parse_error(safetensors_image("[1]", 0)).find("must be a JSON object"), std::string::npos);
  EXPECT_NE(parse_error(safetensors_image("{\"a\":", 0)).find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_error(safetensors_image(R"({"__metadata__":3})", 0)).find("__metadata__"), std::string::npos);
}

// As the safetensors library reads a file: the tensors tile the data region exactly, metadata maps strings to
// strings.
TEST(SafetensorsHeader, RejectsGapsTrailingBytesAndNonStringMetadata) {
  const std::string gap = parse_error(safetensors_image(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})", 20));
  EXPECT_NE(gap.find("gap of 4 bytes after tensor 'a'"), std::string::npos) << gap;
  EXPECT_NE(gap.find("'b'"), std::string::npos) << gap;
  const std::string first = parse_error(
      safetensors_image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12));
  EXPECT_NE(first.find("after the header"), std::string::npos) << first;
  const std::string trailing = parse_error(
      safetensors_image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 24));
  EXPECT_NE(trailing.find("cover 8 of the data region's 24 bytes"), std::string::npos) << trailing;
  EXPECT_NE(parse_error(safetensors_image("{}", 4)).find("cover 0 of"), std::string::npos);
  const std::string metadata = parse_error(safetensors_image(R"({"__metadata__":{"format":"pt","step":3}})", 0));
  EXPECT_NE(metadata.find("__metadata__ value of 'step' must be a string"), std::string::npos) << metadata;
  // An empty tensor sits where the previous one ends, as the library sorts and checks offsets.
  const std::string with_empty = safetensors_image(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}})", 8);
  EXPECT_NO_THROW(parse_safetensors_header(reinterpret_cast<const std::byte*>(with_empty.data()), with_empty.size(),
                                           "m.safetensors"));
}

TEST(SafetensorsHeader, QuotesHostileNamesOnOneLine) {
  const std::string message =
      parse_error(safetensors_image("{\"bad\\nname\":{\"dtype\":\"F32\",\"shape\":[9],\"data_offsets\":[0,4]}}", 4));
  EXPECT_NE(message.find("'bad\\x0aname'"), std::string::npos) << message;
}

TEST(SafetensorsFile, ReadsTensorsFromAMappedFile) {
  const SafetensorsFile file((testing::fixture_dir("qwen2_bf16") / "model.safetensors").string());
  const TensorInfo* norm = file.find("model.norm.weight");
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->dtype, DType::kBF16);
  EXPECT_EQ(norm->shape, std::vector<std::int64_t>{64});
  std::vector<float> values(64);
  file.view(*norm).to_float(0, 64, values.data());
  // The script draws norms around 1: a wrong offset or dtype would not land there.
  for (const float v : values) EXPECT_NEAR(v, 1.0f, 1.0f);
  EXPECT_EQ(file.find("no.such.tensor"), nullptr);
}

// A FIFO or a directory in a checkpoint file's place is refused at once (a plain open of a FIFO waits for a writer).
TEST(SafetensorsFile, SpecialFilesAreRefusedWithoutBlocking) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "safetensors_special";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "folder.safetensors");
  const std::string fifo = (dir / "fifo.safetensors").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& [path, kind] : {std::pair{fifo, "a special file"},
                                   std::pair{(dir / "folder.safetensors").string(), "a directory"}}) {
    try {
      SafetensorsFile file(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), path + ": expected a regular file, not " + kind);
    }
  }
  std::filesystem::remove_all(dir);
}

// A NaN or infinity in the weights is a broken checkpoint, said at load time with the file and tensor (left
// to run, it makes every logit NaN and the sampler emits token 0 for ever).
TEST(SafetensorsFile, NonFiniteWeightsAreRefusedNamingTheTensor) {
  const auto dir = testing::scratch_copy("qwen2_fp32", "nan");
  const auto path = dir / "model.safetensors";
  std::string image = testing::read_file(path);
  {
    const SafetensorsFile file(path.string());
    const TensorInfo* norm = file.find("model.norm.weight");
    ASSERT_NE(norm, nullptr);
    ASSERT_EQ(norm->dtype, DType::kF32);
    std::uint64_t header_bytes = 0;
    std::memcpy(&header_bytes, image.data(), sizeof header_bytes);  // little-endian, as the host
    const std::uint64_t header = 8 + header_bytes;
    const std::uint32_t nan_bits = 0x7FC00000u;
    std::memcpy(image.data() + header + norm->begin + 3 * sizeof(float), &nan_bits, sizeof nan_bits);
  }
  testing::write_file(path, image);
  const SafetensorsFile file(path.string());
  const TensorInfo* norm = file.find("model.norm.weight");
  std::vector<float> values(static_cast<std::size_t>(norm->numel()));
  try {
    file.view(*norm).to_float(0, values.size(), values.data());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("model.safetensors: tensor 'model.norm.weight' holds a non-finite value (NaN) at element 3"),
              std::string::npos)
        << message;
  }
}

TEST(SafetensorsFile, TruncatedFileNamesFileAndTensor) {
  const auto dir = testing::scratch_copy("qwen2_fp32", "truncated");
  const auto path = dir / "model.safetensors";
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
  try {
    SafetensorsFile file(path.string());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ": tensor '", 0), 0u) << message;
    EXPECT_NE(message.find("beyond the data region"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace r1eval::engine
