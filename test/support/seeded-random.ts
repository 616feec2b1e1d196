// The PRNG lives with the synthetic fleet it seeds; tests take it from there.
export { seededRandom } from '@patchwise/simulator';
