/* kaigi-error.c: see kaigi-error.h. */
#include "kaigi-error.h"

G_DEFINE_QUARK (kaigi - error - quark, kaigi_error)
