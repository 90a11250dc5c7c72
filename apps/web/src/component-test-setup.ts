// The component tests' setup: findBy*/waitFor wait up to 5 s instead of 1 s, because the suite runs
// beside the integration tests on a busy 2-core machine, where a render can take longer than a second.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 5000 });
