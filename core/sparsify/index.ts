export { kwta, kwtaWithCounts } from './k-wta';
export { kwtaK, kwtaWinners } from './k-wta-reference';
export { boostFactors, updateDutyCycles } from './boost';
