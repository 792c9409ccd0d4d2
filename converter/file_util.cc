#include "converter/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace optconv {

absl::Status WriteFileAtomically(const std::string& path, absl::Span<const uint8_t> bytes) {
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot create output file: ", std::strerror(errno)));
  }
  std::string tmp_path(name.data());
  auto fail = [&](const char* what) {
    int err = errno;
    close(fd);
    unlink(tmp_path.c_str());
    return absl::UnavailableError(absl::StrCat(path, ": ", what, ": ", std::strerror(err)));
  };
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write failed");
    }
    written += static_cast<size_t>(n);
  }
  if (fchmod(fd, 0644) != 0) return fail("chmod failed");
  if (fsync(fd) != 0) return fail("fsync failed");
  if (close(fd) != 0) {
    unlink(tmp_path.c_str());
    return absl::UnavailableError(absl::StrCat(path, ": close failed"));
  }
  if (std::rename(tmp_path.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp_path.c_str());
    return absl::UnavailableError(absl::StrCat(path, ": rename failed: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace optconv
