// The tape memory a reverse-mode program needs, written next to each loop that stores values so
// that `diffc ir --grad` shows the cost of the reverse sweep before anything runs.
#pragma once

#include "ir/IR.h"

namespace diffc::ad {

/// Notes on every for/while loop of fn whose body pushes onto tapes how many bytes those pushes
/// take over one run of the loop, as a formula of the size parameters (`tape: 8*(N - 1) bytes`);
/// when the trip count is not a size formula (a while loop, a @checkpoint segment), the bytes
/// per iteration. Loops inside map bodies are left out: their tapes live for one element.
void noteTapeMemory(ir::Function &fn);

} // namespace diffc::ad
