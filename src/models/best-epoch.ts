/**
 * Early stopping for the models whose epoch loop is plain code (svdfeature, cdl): remember the
 * parameters of the epoch with the lowest validation RMSE and say when `patience` epochs in a row
 * have not beaten it. With patience 0 nothing is kept and the last epoch's parameters stand.
 */
export class BestEpoch<T> {
  private readonly patience: number;
  private bestRmse = Infinity;
  private sinceBest = 0;
  private kept: { epoch: number; rmse: number; params: T } | undefined;

  constructor(patience: number) {
    this.patience = patience;
  }

  /** Records `epoch`'s validation RMSE (`copy` is called only when it is the best so far); true: stop now. */
  observe(epoch: number, rmse: number, copy: () => T): boolean {
    if (this.patience <= 0) return false;
    if (rmse < this.bestRmse) {
      this.bestRmse = rmse;
      this.sinceBest = 0;
      this.kept = { epoch, rmse, params: copy() };
    } else {
      this.sinceBest++;
    }
    return this.sinceBest >= this.patience;
  }

  /** The best epoch's parameters, epoch and RMSE, or undefined when none was kept. */
  best(): { epoch: number; rmse: number; params: T } | undefined {
    return this.kept;
  }
}
