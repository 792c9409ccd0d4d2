#include "cli/log_setup.h"

#include <memory>
#include <string_view>

#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace optconv::cli {
namespace {

// %* : "" for info (progress lines read as plain text), "optconv: <level>: "
// otherwise, matching the "optconv: error: ..." lines of the CLI.
class LevelPrefix : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view prefix;
    switch (msg.level) {
      case spdlog::level::info: prefix = ""; break;
      case spdlog::level::warn: prefix = "optconv: warning: "; break;
      case spdlog::level::err:
      case spdlog::level::critical: prefix = "optconv: error: "; break;
      default: prefix = "optconv: debug: "; break;
    }
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelPrefix>();
  }
};

}  // namespace

void SetUpLogging(LogLevel level) {
  auto logger = std::make_shared<spdlog::logger>(
      "optconv", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelPrefix>('*').set_pattern("%*%v");
  logger->set_formatter(std::move(formatter));
  switch (level) {
    case LogLevel::kQuiet: logger->set_level(spdlog::level::err); break;
    case LogLevel::kNormal: logger->set_level(spdlog::level::info); break;
    case LogLevel::kVerbose: logger->set_level(spdlog::level::debug); break;
  }
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace optconv::cli
