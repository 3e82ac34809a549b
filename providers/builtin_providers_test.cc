#include "providers/builtin_providers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "providers/registry.h"
#include "server/common/status_matchers.h"

namespace videoplatform::providers {
namespace {

using ::testing::Contains;
using ::videoplatform::testing::IsOk;
using ::videoplatform::testing::StatusIs;

TEST(BuiltinProvidersTest, RegistersTheMock) {
  ProviderRegistry registry;
  ASSERT_THAT(RegisterBuiltinProviders(registry), IsOk());
  EXPECT_THAT(registry.Names(), Contains("mock"));
  const ProviderFactory* mock = registry.Find("mock");
  ASSERT_NE(mock, nullptr);
  EXPECT_TRUE(mock->required_settings.empty());
}

TEST(BuiltinProvidersTest, TwiceIsAlreadyExists) {
  ProviderRegistry registry;
  ASSERT_THAT(RegisterBuiltinProviders(registry), IsOk());
  EXPECT_THAT(RegisterBuiltinProviders(registry),
              StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
}

TEST(BuiltinProvidersTest, MockIsConfiguredWithoutSettings) {
  ProviderRegistry registry;
  ASSERT_THAT(RegisterBuiltinProviders(registry), IsOk());
  absl::StatusOr<std::unique_ptr<Providers>> providers = Providers::Create(
      registry, [](absl::string_view) { return std::nullopt; });
  ASSERT_THAT(providers, IsOk());
  EXPECT_THAT((*providers)->Get("mock"), IsOk());
}

}  // namespace
}  // namespace videoplatform::providers
