// XXH3-64 compiled for AVX2, chosen at run time by format::Checksum (coding.cc) when the CPU
// has it. The result is bit for bit that of any other XXH3-64 implementation: only the speed
// differs (about twice the SSE2 code's on long inputs: the batch checksum is the hottest part
// of a scan).
//
// CMakeLists.txt compiles this one file with -mavx2 on x86-64 and defines SEGLOG_XXH3_AVX2 for
// the library. Everything here has internal linkage (XXH_INLINE_ALL) and no C++ header is
// included, so that no AVX2 code can leak into an inline function shared with other files.
#if defined(__AVX2__) && defined(SEGLOG_XXH3_AVX2)

#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>

namespace seglog::format {

uint64_t ChecksumAvx2(const void* data, size_t n) { return XXH3_64bits(data, n); }

}  // namespace seglog::format

#endif
