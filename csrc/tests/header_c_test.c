/*
 * header_c_test.c — pstm.h compiles on its own as strict C99 (-Wpedantic
 * -Werror), its struct layouts are the documented ones, and the library
 * reports the header's ABI version.
 */
#include "pstm.h"

#include <stddef.h>
#include <stdio.h>

typedef char params_is_80_bytes[sizeof(pstm_params) == 80 ? 1 : -1];
typedef char stretch_mute_at_76[offsetof(pstm_params, stretch_mute) == 76 ? 1 : -1];
typedef char reserved0_at_60[offsetof(pstm_params, reserved0) == 60 ? 1 : -1];
typedef char eta_at_56[offsetof(pstm_params, eta) == 56 ? 1 : -1];
typedef char stats_is_40_bytes[sizeof(pstm_stats) == 40 ? 1 : -1];

int main(void) {
  if (pstm_abi_version() != PSTM_ABI_VERSION) {
    fprintf(stderr, "ABI version %d, header says %d\n", (int)pstm_abi_version(), PSTM_ABI_VERSION);
    return 1;
  }
  printf("pstm.h compiles as C; ABI %d, backend %s\n", (int)pstm_abi_version(),
         pstm_backend_name());
  return 0;
}
