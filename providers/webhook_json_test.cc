#include "providers/webhook_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "server/common/status_matchers.h"

namespace videoplatform::providers::webhook_json {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

json Parse(const std::string& text) {
  json object;
  EXPECT_THAT(ParseObject("test", text, &object), IsOk());
  return object;
}

TEST(WebhookJsonTest, ParseObjectRejectsNonObjectsAndBadUtf8) {
  json object;
  EXPECT_THAT(ParseObject("p", "{", &object),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "p webhook: body is not valid JSON"));
  EXPECT_THAT(ParseObject("p", "[]", &object),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "p webhook: body is not a JSON object"));
  EXPECT_THAT(ParseObject("p", "{\"a\":\"\xc3\"}", &object),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid JSON")));
  EXPECT_THAT(ParseObject("p", "{} trailing", &object),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid JSON")));
  // Deep nesting neither crashes nor overflows the stack.
  const std::string deep =
      "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_THAT(ParseObject("p", deep, &object), IsOk());
}

TEST(WebhookJsonTest, ReadsTypedFieldsAndTreatsNullAsAbsent) {
  const json object = Parse(R"({"s": "x", "n": null, "i": 7, "f": 7.0,
      "u": 18446744073709551615, "b": true, "t": 1700000000.25,
      "when": "2025-01-18T12:00:00.5Z", "o": {}, "a": []})");
  FieldErrors errors("test");
  FieldReader reader(object, "root", &errors);
  EXPECT_EQ(reader.String("s"), "x");
  EXPECT_EQ(reader.String("n"), "");
  EXPECT_EQ(reader.String("missing"), "");
  EXPECT_FALSE(reader.Has("n"));
  EXPECT_TRUE(reader.Has("s"));
  EXPECT_EQ(reader.Int("i"), 7);
  EXPECT_EQ(reader.Int("f"), 7);
  EXPECT_TRUE(reader.Bool("b"));
  EXPECT_EQ(reader.UnixSeconds("t"), absl::FromUnixMillis(1700000000250));
  EXPECT_EQ(reader.UnixSeconds("missing"), absl::InfinitePast());
  EXPECT_EQ(reader.Rfc3339("when"), absl::FromUnixMillis(1737201600500));
  EXPECT_EQ(reader.DurationSeconds("t"), 1700000000);
  EXPECT_NE(reader.Object("o"), nullptr);
  EXPECT_NE(reader.Array("a"), nullptr);
  EXPECT_EQ(reader.Object("missing"), nullptr);
  EXPECT_TRUE(errors.ok());
  EXPECT_THAT(errors.status(), IsOk());
  // Too large for int64.
  EXPECT_EQ(reader.Int("u"), 0);
  EXPECT_THAT(errors.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "test webhook: root.u: must be an "
                                        "integer"));
}

TEST(WebhookJsonTest, KeepsTheFirstError) {
  const json object = Parse(R"({"s": 1, "i": "x"})");
  FieldErrors errors("test");
  FieldReader reader(object, "", &errors);
  reader.String("s");
  reader.Int("i");
  reader.String("gone", kRequired);
  EXPECT_THAT(errors.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "test webhook: s: must be a string"));
}

TEST(WebhookJsonTest, RangeAndRequiredChecks) {
  const json object = Parse(R"({"big": 9.3e18, "neg": -2, "frac": 0.5,
                                "e": "", "nan": "x"})");
  for (const auto& [key, problem] :
       {std::pair{"big", "must be an integer"},
        std::pair{"neg", "must be in 0..10, got -2"},
        std::pair{"frac", "must be an integer"}}) {
    FieldErrors errors("t");
    FieldReader reader(object, "", &errors);
    EXPECT_EQ(reader.Int(key, kOptional, 0, 10), 0);
    EXPECT_THAT(errors.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr(problem)))
        << key;
  }
  FieldErrors errors("t");
  FieldReader reader(object, "", &errors);
  reader.NonEmptyString("e", kRequired);
  EXPECT_THAT(errors.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("e: must not be empty")));
  // A reader over a non-object has no fields.
  FieldErrors errors2("t");
  const json array = json::array();
  FieldReader over_array(array, "x", &errors2);
  EXPECT_EQ(over_array.String("a"), "");
  over_array.String("a", kRequired);
  EXPECT_THAT(errors2.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("x.a: is required")));
}

TEST(WebhookJsonTest, ToTimestampKeepsNanosNonNegative) {
  const google::protobuf::Timestamp before =
      ToTimestamp(absl::FromUnixMicros(-1500000));
  EXPECT_EQ(before.seconds(), -2);
  EXPECT_EQ(before.nanos(), 500000000);
  const google::protobuf::Timestamp after =
      ToTimestamp(absl::FromUnixMicros(1700000000123456));
  EXPECT_EQ(after.seconds(), 1700000000);
  EXPECT_EQ(after.nanos(), 123456000);
}

}  // namespace
}  // namespace videoplatform::providers::webhook_json
