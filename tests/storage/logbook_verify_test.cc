// Tests for the data-directory verifier and the parley-logbook tool.
#include "storage/logbook_inspector.h"

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>

#include "storage/logbook.h"
#include "storage/logbook_files.h"
#include "storage/mem_env.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::TestOptions;
using testing::Writer;

// Runs `parley-logbook verify dir`; returns its exit code and output.
int RunTool(const std::string& dir, std::string* output) {
  const std::string command = std::string(PARLEY_LOGBOOK_TOOL) + " verify '" + dir + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  output->clear();
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) output->append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void WriteSome(Env* env, const std::string& dir, int records, bool snapshot) {
  Writer writer(7);
  auto logbook = Logbook::Open(env, dir, TestOptions());
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  for (int i = 0; i < records; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
  if (snapshot) {
    ASSERT_TRUE((*logbook)->WriteSnapshot(writer.map().ExportState()).ok());
  }
  for (int i = records; i < records + 3; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
  ASSERT_TRUE((*logbook)->Close().ok());
}

TEST(LogbookVerify, CleanDirectoryListsSnapshotAndSegments) {
  MemEnv env;
  WriteSome(&env, "/data", 10, /*snapshot=*/true);
  auto inspection = InspectDataDirectory(&env, "/data");
  ASSERT_TRUE(inspection.ok());
  EXPECT_TRUE(inspection->clean()) << inspection->ToString();
  EXPECT_EQ(inspection->replica, 7u);
  ASSERT_EQ(inspection->snapshots.size(), 1u);
  EXPECT_EQ(inspection->snapshots[0].covered_sequence, 10u);
  uint64_t records = 0;
  for (const auto& segment : inspection->segments) records += segment.records;
  EXPECT_EQ(records, 3u);
}

TEST(LogbookVerify, ToolReportsCorruptionWithFileAndOffset) {
  testing::TempDir tmp;
  const std::string dir = tmp.path() + "/data";
  WriteSome(Env::Default(), dir, 5, /*snapshot=*/false);
  std::string output;
  ASSERT_EQ(RunTool(dir, &output), 0) << output;
  EXPECT_NE(output.find("segment " + SegmentFileName(1) + ": "), std::string::npos) << output;
  EXPECT_NE(output.find("8 records (1..8)"), std::string::npos) << output;

  // Flip a byte inside the first record (offset 40).
  const std::string segment = JoinPath(dir, SegmentFileName(1));
  {
    FILE* f = std::fopen(segment.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 40, SEEK_SET);
    int c = std::fgetc(f);
    std::fseek(f, 40, SEEK_SET);
    std::fputc(c ^ 0x20, f);
    std::fclose(f);
  }
  ASSERT_EQ(RunTool(dir, &output), 1) << output;
  EXPECT_NE(output.find("error: " + segment + " at byte offset 32"), std::string::npos) << output;
  EXPECT_NE(output.find("CORRUPT"), std::string::npos);
}

TEST(LogbookVerify, TornTailIsAWarning) {
  MemEnv env;
  WriteSome(&env, "/data", 5, /*snapshot=*/false);
  const std::string segment = JoinPath("/data", SegmentFileName(1));
  std::string contents;
  ASSERT_TRUE(ReadFileToString(&env, segment, &contents).ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/data", SegmentFileName(1), contents.substr(0, contents.size() - 3)).ok());
  auto inspection = InspectDataDirectory(&env, "/data");
  ASSERT_TRUE(inspection.ok());
  EXPECT_TRUE(inspection->errors.empty()) << inspection->ToString();
  ASSERT_EQ(inspection->warnings.size(), 1u) << inspection->ToString();
  EXPECT_NE(inspection->warnings[0].find("torn tail"), std::string::npos);
}

}  // namespace
}  // namespace parley
