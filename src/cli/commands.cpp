#include "cli/commands.hpp"

namespace sy::cli {
int run(int, char**) { return 0; }  // filled in with the server
}
