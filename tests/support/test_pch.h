// The precompiled header of the test executables (CMakeLists.txt, target_precompile_headers):
// what nearly every test translation unit parses — GoogleTest and the standard library's common
// headers — parsed once per test target instead of once per file. Nothing of seglog's own: its
// headers change with every commit, these do not. Test files still include what they use.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
