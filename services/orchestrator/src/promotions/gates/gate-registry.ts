import { Inject, Injectable } from '@nestjs/common';
import { GateEvaluatorRegistry, type Gate } from '@stella/gates';
import { GATES } from '../../common/tokens';

/** The gates this process knows, by name and engine version (the GATES provider lists them; libs/gates). */
@Injectable()
export class GateRegistry extends GateEvaluatorRegistry {
  constructor(@Inject(GATES) gates: readonly Gate[]) {
    super(gates);
  }
}
