"""The matching engine: explainable scores over the whole mentor pool, top-k
suggestions and the optimal assignment of a program's waiting list. Pure computation
on arrays; ``core.services.matching`` feeds it from the database and enforces who may
see what."""
