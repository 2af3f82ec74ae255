// The command line: `switchyard serve|check-config|logs|version`. Returns the process exit code
// (0 ok, 1 runtime failure, 2 usage or config error).
#pragma once

namespace sy::cli {
int run(int argc, char** argv);
}
