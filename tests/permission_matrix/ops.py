"""Operations endpoints answer anyone (load balancers and orchestrators sign in to nothing); they show no data.
/readyz is 503 here: no worker has sent a heartbeat in the matrix's world. /metrics is off without its token."""

from . import Entry, expect

MATRIX = {
    "ops:healthz": Entry(get=expect(200, 200, 200, 200), post=expect(405, 405, 405, 405)),
    "ops:readyz": Entry(get=expect(503, 503, 503, 503)),
    "ops:metrics": Entry(get=expect(404, 404, 404, 404)),
}
