// switchyard: entry point. All command handling lives in cli/.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return sy::cli::run(argc, argv); }
