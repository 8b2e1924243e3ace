// Topics (engine/topics/topics.h): implemented by issue 15's engine change.
#include "engine/topics/topics.h"
